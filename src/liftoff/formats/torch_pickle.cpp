// The pickle VM behind read_torch_state_dict_pickle. Values live in an arena owned by the VM so
// that cyclic or deeply nested structures a hostile file can build are torn down without
// recursion; "calling" an allow-listed global builds a plain record, never runs code.
#include "liftoff/formats/torch_pickle.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "liftoff/base/byte_reader.h"

namespace liftoff::formats {
namespace {

using base::ByteReader;
using base::with_thousands;

enum class Kind : uint8_t {
  kNone,
  kBool,
  kInt,
  kFloat,
  kStr,
  kTuple,
  kList,
  kDict,
  kGlobal,
  kStorage,
  kTensor,
};

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kStr:
      return "str";
    case Kind::kTuple:
      return "tuple";
    case Kind::kList:
      return "list";
    case Kind::kDict:
      return "dict";
    case Kind::kGlobal:
      return "global";
    case Kind::kStorage:
      return "storage";
    case Kind::kTensor:
      return "tensor";
  }
  return "?";
}

struct Obj;
using Ref = Obj*;  // owned by the VM's arena

struct Obj {
  Kind kind = Kind::kNone;
  int64_t i = 0;                                // bool, int; storage numel
  double f = 0;                                 // float
  std::string s;                                // str; global "module.name"; storage key
  std::vector<Ref> items;                       // tuple, list
  std::vector<std::pair<Ref, Ref>> entries;     // dict, in insertion order
  kernels::DType dtype = kernels::DType::kF32;  // storage
  TorchTensorRecord tensor;                     // tensor (name unset)
};

// Allow-listed globals: what each one is.
enum class Global : uint8_t { kRebuildTensor, kRebuildParameter, kOrderedDict, kStorageType };

std::optional<std::pair<Global, kernels::DType>> lookup_global(const std::string& name) {
  using kernels::DType;
  if (name == "torch._utils._rebuild_tensor_v2") return {{Global::kRebuildTensor, DType::kF32}};
  if (name == "torch._utils._rebuild_parameter") return {{Global::kRebuildParameter, DType::kF32}};
  if (name == "collections.OrderedDict") return {{Global::kOrderedDict, DType::kF32}};
  if (name == "torch.FloatStorage") return {{Global::kStorageType, DType::kF32}};
  if (name == "torch.HalfStorage") return {{Global::kStorageType, DType::kF16}};
  if (name == "torch.BFloat16Storage") return {{Global::kStorageType, DType::kBF16}};
  return std::nullopt;
}

class PickleVm {
 public:
  explicit PickleVm(std::span<const uint8_t> bytes) : r_(bytes) {}

  ~PickleVm() {
    // Break every link first, so no destructor recurses through a deep or cyclic structure.
    for (auto& o : arena_) {
      o->items.clear();
      o->entries.clear();
    }
  }

  Result<Ref> run();

 private:
  Ref make(Kind kind) {
    arena_.push_back(std::make_unique<Obj>());
    arena_.back()->kind = kind;
    return arena_.back().get();
  }
  Status error(const std::string& what) const {
    return Status::corrupt_data("pickle byte " + with_thousands(op_at_) + ": " + what);
  }
  Result<Ref> pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) {
      return error("stack underflow");
    }
    Ref v = stack_.back();
    stack_.pop_back();
    return v;
  }
  Result<Ref> top() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) {
      return error("stack underflow");
    }
    return stack_.back();
  }
  // Everything above the last MARK, removing it and the mark.
  Result<std::vector<Ref>> pop_to_mark() {
    if (marks_.empty()) return error("no MARK to pop to");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<Ref> out(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return out;
  }
  Ref str(std::string s) {
    Ref o = make(Kind::kStr);
    o->s = std::move(s);
    return o;
  }
  Ref integer(int64_t v) {
    Ref o = make(Kind::kInt);
    o->i = v;
    return o;
  }
  Ref tuple(std::vector<Ref> items) {
    Ref o = make(Kind::kTuple);
    o->items = std::move(items);
    return o;
  }
  Status push_global(const std::string& module, const std::string& name);
  Status persistent_load(Ref pid);
  Status reduce();
  Status set_items(Ref dict, const std::vector<Ref>& kv);
  Result<std::vector<int64_t>> int_tuple(Ref v, const char* what);

  ByteReader r_;
  size_t op_at_ = 0;
  std::vector<std::unique_ptr<Obj>> arena_;
  std::vector<Ref> stack_;
  std::vector<size_t> marks_;
  std::map<uint64_t, Ref> memo_;
};

Status PickleVm::push_global(const std::string& module, const std::string& name) {
  const std::string full = module + "." + name;
  const auto g = lookup_global(full);
  if (!g) {
    if (module == "torch" && name.size() > 7 && name.compare(name.size() - 7, 7, "Storage") == 0) {
      return Status::invalid_argument("pickle byte " + with_thousands(op_at_) +
                                      ": tensor storage type '" + full +
                                      "' is not supported (float32, float16 and bfloat16 are)");
    }
    return Status::invalid_argument(
        "pickle byte " + with_thousands(op_at_) + ": refusing global '" + full +
        "', which a PyTorch state dict does not need (allowed: " + kTorchPickleAllowedGlobals +
        "); nothing was executed");
  }
  Ref o = make(Kind::kGlobal);
  o->s = full;
  o->i = static_cast<int64_t>(g->first);
  o->dtype = g->second;
  stack_.push_back(o);
  return Status::ok();
}

// ('storage', <StorageType>, key, location, numel) -> a storage record.
Status PickleVm::persistent_load(Ref pid) {
  if (pid->kind != Kind::kTuple || pid->items.size() != 5 || pid->items[0]->kind != Kind::kStr ||
      pid->items[0]->s != "storage") {
    return error("persistent id is not ('storage', type, key, location, numel)");
  }
  Ref type = pid->items[1];
  if (type->kind != Kind::kGlobal || type->i != static_cast<int64_t>(Global::kStorageType)) {
    return error("persistent id names no storage type");
  }
  if (pid->items[2]->kind != Kind::kStr || pid->items[4]->kind != Kind::kInt ||
      pid->items[4]->i < 0) {
    return error("persistent id has a bad storage key or element count");
  }
  Ref s = make(Kind::kStorage);
  s->s = pid->items[2]->s;
  s->dtype = type->dtype;
  s->i = pid->items[4]->i;
  stack_.push_back(s);
  return Status::ok();
}

Result<std::vector<int64_t>> PickleVm::int_tuple(Ref v, const char* what) {
  if (v->kind != Kind::kTuple) return error(std::string(what) + " is not a tuple");
  std::vector<int64_t> out;
  for (Ref e : v->items) {
    if (e->kind != Kind::kInt || e->i < 0) return error(std::string(what) + " has a bad entry");
    out.push_back(e->i);
  }
  return out;
}

Status PickleVm::reduce() {
  LIFTOFF_ASSIGN_OR_RETURN(Ref args, pop());
  LIFTOFF_ASSIGN_OR_RETURN(Ref callable, pop());
  if (callable->kind != Kind::kGlobal) {
    return error(std::string("REDUCE on a ") + kind_name(callable->kind) + ", not a global");
  }
  if (args->kind != Kind::kTuple) return error("REDUCE arguments are not a tuple");
  const auto& a = args->items;
  switch (static_cast<Global>(callable->i)) {
    case Global::kOrderedDict:
      if (!a.empty()) return error("collections.OrderedDict called with arguments");
      stack_.push_back(make(Kind::kDict));
      return Status::ok();
    case Global::kRebuildTensor: {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      if (a.size() < 4 || a[0]->kind != Kind::kStorage || a[1]->kind != Kind::kInt) {
        return error("_rebuild_tensor_v2 called with unexpected arguments");
      }
      Ref t = make(Kind::kTensor);
      t->tensor.storage_key = a[0]->s;
      t->tensor.dtype = a[0]->dtype;
      t->tensor.storage_numel = a[0]->i;
      t->tensor.storage_offset = a[1]->i;
      LIFTOFF_ASSIGN_OR_RETURN(t->tensor.shape, int_tuple(a[2], "tensor size"));
      LIFTOFF_ASSIGN_OR_RETURN(t->tensor.stride, int_tuple(a[3], "tensor stride"));
      if (t->tensor.storage_offset < 0 || t->tensor.shape.size() != t->tensor.stride.size()) {
        return error("tensor has a negative offset or a stride of another rank than its size");
      }
      stack_.push_back(t);
      return Status::ok();
    }
    case Global::kRebuildParameter:  // (tensor, requires_grad, backward_hooks)
      if (a.empty() || a[0]->kind != Kind::kTensor) {
        return error("_rebuild_parameter called without a tensor");
      }
      stack_.push_back(a[0]);
      return Status::ok();
    case Global::kStorageType:
      break;
  }
  return error("'" + callable->s + "' is not callable");
}

Status PickleVm::set_items(Ref dict, const std::vector<Ref>& kv) {
  if (dict->kind != Kind::kDict)
    return error("SETITEM(S) on a " + std::string(kind_name(dict->kind)));
  if (kv.size() % 2 != 0) return error("SETITEMS with an odd number of values");
  for (size_t i = 0; i < kv.size(); i += 2) dict->entries.emplace_back(kv[i], kv[i + 1]);
  return Status::ok();
}

Result<Ref> PickleVm::run() {
  const auto read_line = [&](const char* what) -> Result<std::string> {
    std::string out;
    for (;;) {
      LIFTOFF_ASSIGN_OR_RETURN(uint8_t c, r_.read<uint8_t>(what));
      if (c == '\n') return out;
      if (out.size() > 256) return error(std::string(what) + " is too long");
      out.push_back(static_cast<char>(c));
    }
  };
  const auto read_str = [&](uint64_t n) -> Status {
    LIFTOFF_ASSIGN_OR_RETURN(std::string s, r_.read_string(n, "pickle string"));
    stack_.push_back(str(std::move(s)));
    return Status::ok();
  };
  const auto memo_get = [&](uint64_t key) -> Status {
    auto it = memo_.find(key);
    if (it == memo_.end()) return error("memo key " + std::to_string(key) + " is not set");
    stack_.push_back(it->second);
    return Status::ok();
  };
  const auto memo_put = [&](uint64_t key) -> Status {
    LIFTOFF_ASSIGN_OR_RETURN(Ref v, top());
    memo_[key] = v;
    return Status::ok();
  };

  for (;;) {
    op_at_ = r_.offset();
    LIFTOFF_ASSIGN_OR_RETURN(uint8_t op, r_.read<uint8_t>("pickle opcode (no STOP)"));
    switch (op) {
      case 0x80: {  // PROTO
        LIFTOFF_ASSIGN_OR_RETURN(uint8_t v, r_.read<uint8_t>("pickle protocol"));
        if (v < 2 || v > 5)
          return error("pickle protocol " + std::to_string(v) + " is not supported");
        break;
      }
      case 0x95:  // FRAME (protocol 4): a length hint only
        LIFTOFF_RETURN_IF_ERROR(r_.skip(8, "pickle frame"));
        break;
      case '.': {  // STOP
        LIFTOFF_ASSIGN_OR_RETURN(Ref v, pop());
        return v;
      }
      case '(':
        marks_.push_back(stack_.size());
        break;
      case '}':
        stack_.push_back(make(Kind::kDict));
        break;
      case ']':
        stack_.push_back(make(Kind::kList));
        break;
      case ')':
        stack_.push_back(tuple({}));
        break;
      case 'N':
        stack_.push_back(make(Kind::kNone));
        break;
      case 0x88:
      case 0x89: {  // NEWTRUE, NEWFALSE
        Ref b = make(Kind::kBool);
        b->i = op == 0x88;
        stack_.push_back(b);
        break;
      }
      case 'K': {
        LIFTOFF_ASSIGN_OR_RETURN(uint8_t v, r_.read<uint8_t>("pickle BININT1"));
        stack_.push_back(integer(v));
        break;
      }
      case 'M': {
        LIFTOFF_ASSIGN_OR_RETURN(uint16_t v, r_.read<uint16_t>("pickle BININT2"));
        stack_.push_back(integer(v));
        break;
      }
      case 'J': {
        LIFTOFF_ASSIGN_OR_RETURN(int32_t v, r_.read<int32_t>("pickle BININT"));
        stack_.push_back(integer(v));
        break;
      }
      case 0x8a: {  // LONG1: n bytes, little-endian two's complement
        LIFTOFF_ASSIGN_OR_RETURN(uint8_t n, r_.read<uint8_t>("pickle LONG1"));
        if (n > 8) return error("integer of " + std::to_string(n) + " bytes is too large");
        LIFTOFF_ASSIGN_OR_RETURN(auto raw, r_.read_bytes(n, "pickle LONG1"));
        uint64_t u = 0;
        for (size_t k = 0; k < n; ++k) u |= static_cast<uint64_t>(raw[k]) << (8 * k);
        if (n > 0 && n < 8 && (raw[n - 1] & 0x80)) u |= ~uint64_t{0} << (8 * n);  // sign-extend
        stack_.push_back(integer(static_cast<int64_t>(u)));
        break;
      }
      case 'G': {  // BINFLOAT, big-endian
        LIFTOFF_ASSIGN_OR_RETURN(uint64_t be, r_.read<uint64_t>("pickle BINFLOAT"));
        Ref f = make(Kind::kFloat);
        const uint64_t host = __builtin_bswap64(be);
        std::memcpy(&f->f, &host, 8);
        stack_.push_back(f);
        break;
      }
      case 'X': {
        LIFTOFF_ASSIGN_OR_RETURN(uint32_t n, r_.read<uint32_t>("pickle BINUNICODE"));
        LIFTOFF_RETURN_IF_ERROR(read_str(n));
        break;
      }
      case 0x8c: {
        LIFTOFF_ASSIGN_OR_RETURN(uint8_t n, r_.read<uint8_t>("pickle SHORT_BINUNICODE"));
        LIFTOFF_RETURN_IF_ERROR(read_str(n));
        break;
      }
      case 0x8d: {
        LIFTOFF_ASSIGN_OR_RETURN(uint64_t n, r_.read<uint64_t>("pickle BINUNICODE8"));
        LIFTOFF_RETURN_IF_ERROR(read_str(n));
        break;
      }
      case 't': {
        LIFTOFF_ASSIGN_OR_RETURN(std::vector<Ref> items, pop_to_mark());
        stack_.push_back(tuple(std::move(items)));
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1..3
        std::vector<Ref> items(op - 0x84);
        for (size_t k = items.size(); k-- > 0;) {
          LIFTOFF_ASSIGN_OR_RETURN(items[k], pop());
        }
        stack_.push_back(tuple(std::move(items)));
        break;
      }
      case 'c': {  // GLOBAL "module\nname\n"
        LIFTOFF_ASSIGN_OR_RETURN(std::string module, read_line("pickle GLOBAL module"));
        LIFTOFF_ASSIGN_OR_RETURN(std::string name, read_line("pickle GLOBAL name"));
        LIFTOFF_RETURN_IF_ERROR(push_global(module, name));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        LIFTOFF_ASSIGN_OR_RETURN(Ref name, pop());
        LIFTOFF_ASSIGN_OR_RETURN(Ref module, pop());
        if (name->kind != Kind::kStr || module->kind != Kind::kStr) {
          return error("STACK_GLOBAL needs two strings");
        }
        LIFTOFF_RETURN_IF_ERROR(push_global(module->s, name->s));
        break;
      }
      case 'Q': {  // BINPERSID
        LIFTOFF_ASSIGN_OR_RETURN(Ref pid, pop());
        LIFTOFF_RETURN_IF_ERROR(persistent_load(pid));
        break;
      }
      case 'R':
        LIFTOFF_RETURN_IF_ERROR(reduce());
        break;
      case 'b': {  // BUILD: only the state of a dict (a state_dict's _metadata) is accepted
        LIFTOFF_ASSIGN_OR_RETURN(Ref state, pop());
        LIFTOFF_ASSIGN_OR_RETURN(Ref target, top());
        (void)state;
        if (target->kind != Kind::kDict) {
          return error(std::string("BUILD on a ") + kind_name(target->kind) + " is not supported");
        }
        break;
      }
      case 's': {
        LIFTOFF_ASSIGN_OR_RETURN(Ref value, pop());
        LIFTOFF_ASSIGN_OR_RETURN(Ref key, pop());
        LIFTOFF_ASSIGN_OR_RETURN(Ref dict, top());
        LIFTOFF_RETURN_IF_ERROR(set_items(dict, {key, value}));
        break;
      }
      case 'u': {
        LIFTOFF_ASSIGN_OR_RETURN(std::vector<Ref> kv, pop_to_mark());
        LIFTOFF_ASSIGN_OR_RETURN(Ref dict, top());
        LIFTOFF_RETURN_IF_ERROR(set_items(dict, kv));
        break;
      }
      case 'a':
      case 'e': {  // APPEND, APPENDS
        std::vector<Ref> values;
        if (op == 'a') {
          LIFTOFF_ASSIGN_OR_RETURN(Ref v, pop());
          values.push_back(v);
        } else {
          LIFTOFF_ASSIGN_OR_RETURN(values, pop_to_mark());
        }
        LIFTOFF_ASSIGN_OR_RETURN(Ref list, top());
        if (list->kind != Kind::kList) return error("APPEND to a non-list");
        list->items.insert(list->items.end(), values.begin(), values.end());
        break;
      }
      case 'h': {
        LIFTOFF_ASSIGN_OR_RETURN(uint8_t k, r_.read<uint8_t>("pickle BINGET"));
        LIFTOFF_RETURN_IF_ERROR(memo_get(k));
        break;
      }
      case 'j': {
        LIFTOFF_ASSIGN_OR_RETURN(uint32_t k, r_.read<uint32_t>("pickle LONG_BINGET"));
        LIFTOFF_RETURN_IF_ERROR(memo_get(k));
        break;
      }
      case 'q': {
        LIFTOFF_ASSIGN_OR_RETURN(uint8_t k, r_.read<uint8_t>("pickle BINPUT"));
        LIFTOFF_RETURN_IF_ERROR(memo_put(k));
        break;
      }
      case 'r': {
        LIFTOFF_ASSIGN_OR_RETURN(uint32_t k, r_.read<uint32_t>("pickle LONG_BINPUT"));
        LIFTOFF_RETURN_IF_ERROR(memo_put(k));
        break;
      }
      case 0x94:  // MEMOIZE
        LIFTOFF_RETURN_IF_ERROR(memo_put(memo_.size()));
        break;
      default: {
        char hex[8];
        std::snprintf(hex, sizeof(hex), "0x%02x", op);
        return Status::invalid_argument("pickle byte " + with_thousands(op_at_) + ": opcode " +
                                        hex + " is not supported in a PyTorch state dict");
      }
    }
  }
}

}  // namespace

Result<std::vector<TorchTensorRecord>> read_torch_state_dict_pickle(
    std::span<const uint8_t> pickle) {
  PickleVm vm(pickle);
  LIFTOFF_ASSIGN_OR_RETURN(Ref root, vm.run());
  if (root->kind != Kind::kDict) {
    return Status::invalid_argument(std::string("the pickle holds a ") + kind_name(root->kind) +
                                    ", not a state dict (name -> tensor)");
  }
  std::vector<TorchTensorRecord> out;
  for (const auto& [key, value] : root->entries) {
    if (key->kind != Kind::kStr) return Status::invalid_argument("state dict key is not a string");
    if (value->kind != Kind::kTensor) {
      return Status::invalid_argument("state dict entry '" + key->s + "' is a " +
                                      kind_name(value->kind) +
                                      ", not a tensor (pass a plain model.state_dict())");
    }
    out.push_back(value->tensor);
    out.back().name = key->s;
  }
  return out;
}

}  // namespace liftoff::formats
