// Builds small zip archives in memory (stored or flagged compressed entries), so the zip and
// torch.save readers can be tested on exact, hand-made bytes. CRCs are left 0 (never checked).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace liftoff::formats::testing {

class ZipBuilder {
 public:
  // method 0 = stored; any other value only sets the header field (the bytes stay as given).
  ZipBuilder& add(std::string name, std::vector<uint8_t> data, uint16_t method = 0) {
    entries_.push_back({std::move(name), std::move(data), method});
    return *this;
  }

  std::vector<uint8_t> build() const {
    std::vector<uint8_t> out, central;
    for (const Entry& e : entries_) {
      const auto local = static_cast<uint32_t>(out.size());
      put32(out, 0x04034b50);
      put16(out, 20);
      put16(out, 0);
      put16(out, e.method);
      put32(out, 0);  // time, date
      put32(out, 0);  // crc
      put32(out, static_cast<uint32_t>(e.data.size()));
      put32(out, static_cast<uint32_t>(e.data.size()));
      put16(out, static_cast<uint16_t>(e.name.size()));
      put16(out, 0);
      out.insert(out.end(), e.name.begin(), e.name.end());
      out.insert(out.end(), e.data.begin(), e.data.end());

      put32(central, 0x02014b50);
      put16(central, 20);
      put16(central, 20);
      put16(central, 0);
      put16(central, e.method);
      put32(central, 0);
      put32(central, 0);
      put32(central, static_cast<uint32_t>(e.data.size()));
      put32(central, static_cast<uint32_t>(e.data.size()));
      put16(central, static_cast<uint16_t>(e.name.size()));
      put16(central, 0);
      put16(central, 0);
      put16(central, 0);
      put16(central, 0);
      put32(central, 0);
      put32(central, local);
      central.insert(central.end(), e.name.begin(), e.name.end());
    }
    const auto cd_offset = static_cast<uint32_t>(out.size());
    out.insert(out.end(), central.begin(), central.end());
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, static_cast<uint16_t>(entries_.size()));
    put16(out, static_cast<uint16_t>(entries_.size()));
    put32(out, static_cast<uint32_t>(central.size()));
    put32(out, cd_offset);
    put16(out, 0);
    return out;
  }

 private:
  struct Entry {
    std::string name;
    std::vector<uint8_t> data;
    uint16_t method;
  };
  static void put16(std::vector<uint8_t>& v, uint16_t x) {
    v.push_back(x & 0xff);
    v.push_back(x >> 8);
  }
  static void put32(std::vector<uint8_t>& v, uint32_t x) {
    put16(v, x & 0xffff);
    put16(v, x >> 16);
  }
  std::vector<Entry> entries_;
};

// Pickle bytes from a readable mix of text and opcodes.
inline std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace liftoff::formats::testing
