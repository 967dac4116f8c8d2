// RocksDB's informational log routed to the process' log instead of a LOG file in the data
// directory (a LOG file on a full disk made RocksDB abort on its next line).
#pragma once

#include <memory>

#include <rocksdb/env.h>

#include "tidemark/storage/storage.h"

namespace tidemark::tsdb {

// Warnings and errors only, each as one line to StorageOptions::log (standard error if unset).
std::shared_ptr<rocksdb::Logger> NewRocksLogger(const StorageOptions& options);

}  // namespace tidemark::tsdb
