// CRC-32C (Castagnoli), used to detect damage in cold blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tidemark::chunk {

// CRC-32C of `data` continuing from `crc` (0 to start). Portable table-driven implementation.
uint32_t Crc32c(std::span<const std::byte> data, uint32_t crc = 0);

}  // namespace tidemark::chunk
