// ggml tensor type tags (GGML_TYPE_* in ggml.h) by name, for error messages and tools. The
// tag <-> DType mapping itself is declared in gguf_reader.h.
#pragma once

#include <cstdint>
#include <string_view>

namespace liftoff::formats {

// "Q2_K", "IQ4_NL", ... for a tag ggml defines (whether or not liftoff supports it), or
// "unknown" for a tag ggml does not define.
std::string_view ggml_type_name(uint32_t ggml_type);

}  // namespace liftoff::formats
