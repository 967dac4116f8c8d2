// Cold compaction: a series' sealed chunks that start in one time window are merged and
// re-encoded as cold blocks (chunk/cold.h), driven by the cold_todo queue that every chunk write
// appends to. Reads happen without locks on a RocksDB snapshot; the swap of old chunks for new
// blocks is one atomic WriteBatch, so queries and crash recovery see either form, never a mix.
#include <algorithm>
#include <limits>

#include "tsdb/keys.h"
#include "tsdb/series_iterator.h"
#include "tsdb/compaction.h"

namespace tidemark::tsdb {

struct Compactor::ColdItem {
  struct Block {
    Timestamp mint = 0, maxt = 0;
    std::string bytes;
  };
  SeriesRef ref = 0;
  std::string todo_key, todo_val;  // the queue entry as read
  std::vector<std::string> old_keys;
  std::vector<Block> blocks;  // empty: nothing to rewrite, only dequeue
};

namespace {

// Items written per batch: large enough that the commit lock is taken rarely, small enough that
// a batch holds little memory and ingest waits only briefly for it.
constexpr size_t kItemsPerBatch = 256;
// Items per periodic call: bounds how long one call (and so a shutdown waiting for it) takes,
// about a second at 6 h × 15 s per item.
constexpr size_t kSettledItemsPerCall = 4096;

}  // namespace

Compactor::Compactor(const StorageOptions& options, Head& head, ChunkStore& store)
    : opts_(options), head_(head), store_(store) {}

Compactor::~Compactor() = default;

Status Compactor::Compact(CompactScope scope) {
  std::lock_guard clock(compact_mu_);
  if (store_.closing()) return Status::Unavailable("storage is closed");
  if (!cold_encoder_) {
    // No zstd per block: RocksDB compresses the chunk table's bottommost level with zstd and a
    // trained dictionary over 32 KiB blocks, i.e. across neighbouring series, which on node-
    // exporter-like data stores about half the bytes of zstd inside each small block (chunk
    // data at 10k series x 1 h: 2.28 -> 1.22 bytes/sample).
    chunk::ColdOptions co;
    co.store_zstd = false;
    cold_encoder_ = std::make_unique<chunk::ColdEncoder>(co);
  }
  if (scope == CompactScope::kSettled) {
    const Timestamp newest = head_.max_time();
    const int64_t grace = kMaxChunkSpanMs + std::max<int64_t>(opts_.out_of_order_window_ms, 0);
    if (newest == kMinTimestamp || newest < kMinTimestamp + grace) return Status::OK();
    // A window is settled once no head chunk (at most kMaxChunkSpanMs long) and no accepted
    // out-of-order sample can still start inside it; compacting earlier would redo the work.
    return CompactQueued(ColdWindowOf(newest - grace), kSettledItemsPerCall);
  }
  {
    std::lock_guard lock(head_.commit_mutex());
    TM_RETURN_IF_ERROR(head_.TruncateHead(true));
  }
  TM_RETURN_IF_ERROR(CompactQueued(std::numeric_limits<int64_t>::max(),
                                   std::numeric_limits<size_t>::max()));
  std::lock_guard lock(head_.commit_mutex());
  if (store_.closing()) return Status::Unavailable("storage is closing");
  return store_.CompactAllTables();
}

Status Compactor::CompactQueued(int64_t settled_before, size_t max_items) {
  Status first_error;
  std::vector<ColdItem> items;
  uint64_t gen = 0;
  ChunkStore::ChunkReader chunks;
  auto begin_batch = [&] {
    // The generation is read before the snapshot the chunk reads use: a deletion after this
    // point changes it, and one before it is already visible to the reads.
    std::lock_guard lock(head_.commit_mutex());
    gen = store_.rewrite_gen();
    chunks = store_.NewChunkReader();
  };
  begin_batch();
  ChunkStore::ColdTodoCursor todo = store_.NewColdTodoCursor();
  size_t done = 0;
  for (; todo.Valid() && done < max_items && !store_.closing(); todo.Next()) {
    ++done;
    int64_t window = 0;
    ColdItem item;
    item.todo_key = todo.key();
    item.todo_val = todo.value();
    if (!DecodeColdTodoKey(item.todo_key, &window, &item.ref)) {
      if (first_error.ok()) first_error = Status::Corruption("compact: malformed cold_todo key");
      continue;
    }
    if (window >= settled_before) break;
    Status s = PrepareColdItem(&chunks, window, &item);
    if (!s.ok()) {
      // Left queued (and reported) so that one damaged chunk does not stop the rest.
      if (first_error.ok()) first_error = s;
      continue;
    }
    items.push_back(std::move(item));
    if (items.size() >= kItemsPerBatch) {
      TM_RETURN_IF_ERROR(CommitColdItems(&items, gen));
      begin_batch();
    }
  }
  TM_RETURN_IF_ERROR(todo.status());
  TM_RETURN_IF_ERROR(CommitColdItems(&items, gen));
  return first_error;
}

Status Compactor::PrepareColdItem(ChunkStore::ChunkReader* reader, int64_t window,
                                    ColdItem* item) {
  const Timestamp ws = ColdWindowStart(window), we = ws + (kColdWindowMs - 1);
  std::vector<StoredChunk> chunks;
  TM_RETURN_IF_ERROR(reader->Read(store_.PartitionsFor(ws, we), item->ref, ws, we, &chunks, true));
  std::erase_if(chunks, [&](const StoredChunk& c) { return c.mint < ws || c.mint > we; });
  if (chunks.empty()) return Status::OK();
  if (chunks.size() == 1 && chunks[0].encoding == static_cast<uint8_t>(chunk::Encoding::kCold)) {
    return Status::OK();
  }
  std::vector<Sample> samples;
  for (const auto& c : chunks) {
    TM_ASSIGN_OR_RETURN(auto ch, chunk::ChunkFromBytes(static_cast<chunk::Encoding>(c.encoding),
                                                       chunk::AsBytes(c.bytes)));
    TM_ASSIGN_OR_RETURN(std::vector<Sample> part, chunk::DecodeAll(*ch));
    samples.insert(samples.end(), part.begin(), part.end());
    item->old_keys.push_back(c.key);
  }
  MergeByTime(&samples);  // as a query merges: the first copy of a timestamp (key order) wins
  for (size_t i = 0; i < samples.size(); i += chunk::kMaxSamplesPerColdBlock) {
    std::span<const Sample> piece(samples.data() + i,
                                  std::min<size_t>(chunk::kMaxSamplesPerColdBlock, samples.size() - i));
    TM_ASSIGN_OR_RETURN(std::string bytes, cold_encoder_->Encode(piece));
    item->blocks.push_back({piece.front().t, piece.back().t, std::move(bytes)});
  }
  return Status::OK();
}

Status Compactor::CommitColdItems(std::vector<ColdItem>* items, uint64_t rewrite_gen) {
  if (items->empty()) return Status::OK();
  std::lock_guard lock(head_.commit_mutex());
  if (store_.closed()) return Status::Unavailable("storage is closed");
  if (rewrite_gen != store_.rewrite_gen()) {  // input may be stale: the queue still holds it
    items->clear();
    return Status::OK();
  }
  ChunkStore::Batch batch(store_);
  uint64_t merged = 0, written = 0;
  for (const ColdItem& item : *items) {
    for (const auto& key : item.old_keys) batch.DeleteChunk(key);
    for (const auto& b : item.blocks) {
      batch.AddChunk(item.ref, b.mint, b.maxt, static_cast<uint8_t>(chunk::Encoding::kCold),
                     b.bytes, false);
    }
    merged += item.old_keys.size();
    written += item.blocks.size();
    // A chunk sealed after the read re-queued the window with a newer id: keep that entry.
    TM_ASSIGN_OR_RETURN(std::optional<std::string> current, store_.GetColdTodo(item.todo_key));
    if (!current || *current == item.todo_val) batch.DeleteColdTodo(item.todo_key);
  }
  batch.PutNextChunkId();
  TM_RETURN_IF_ERROR(store_.Write(&batch, false, "compact: write"));
  store_.AddPartitions(batch.partitions());
  cold_chunks_merged_ += merged;
  cold_blocks_written_ += written;
  items->clear();
  return Status::OK();
}

}  // namespace tidemark::tsdb
