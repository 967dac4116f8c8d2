// Byte layouts of every RocksDB key and value the persistent store writes (docs/format/keys.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/storage/model/sample.h"
#include "tidemark/storage/model/varint.h"

namespace tidemark::tsdb {

// Column families. Persisted names: never rename.
inline constexpr char kCfMeta[] = "default";     // format version, chunk-id counter
inline constexpr char kCfSeries[] = "series";    // ref -> encoded labels
inline constexpr char kCfHash[] = "series_hash"; // labels hash + ref -> ""
inline constexpr char kCfPostings[] = "postings"; // name, value, ref -> ""
inline constexpr char kCfChunks[] = "chunks";    // partition, ref, max time, chunk id -> chunk
inline constexpr char kCfHeadLog[] = "head_log"; // commit seq -> samples of one commit
inline constexpr char kCfHeadMark[] = "head_mark"; // ref -> what of the head log is persisted
inline constexpr char kCfColdTodo[] = "cold_todo"; // window, ref -> newest chunk id to compact
inline constexpr char kCfState[] = "state";        // StateStore: user key -> user value

inline constexpr char kMetaFormatVersion[] = "format_version";
inline constexpr char kMetaNextChunkId[] = "next_chunk_id";
inline constexpr char kMetaNextSeriesRef[] = "next_series_ref";
inline constexpr char kMetaHeadLogReplayFrom[] = "head_log_replay_from";
// State-family prefix of the commit-log readers' cursors (key: prefix + reader name).
inline constexpr char kStateCommitReaderPrefix[] = "commit_reader/";
// Version 2 changed only the head-log record encoding (head_log.h); version-1 records and stores
// are still read, and a version-1 store is marked 2 when opened.
inline constexpr uint64_t kFormatVersion = 2;
inline constexpr uint64_t kOldestReadableFormatVersion = 1;

// Chunk keys start with a time partition so retention drops whole key ranges (and whole SST files)
// without touching live data. One day: queries usually touch one or two partitions per series,
// and retention granularity of a day is plenty for a default of 15 days.
inline constexpr int64_t kPartitionMs = 24LL * 3600 * 1000;
// No persisted chunk spans more than this (the head cuts chunks by it), so a query for
// [mint, maxt] finds every overlapping chunk in partitions Partition(mint)..Partition(maxt+span).
inline constexpr int64_t kMaxChunkSpanMs = 2LL * 3600 * 1000;
// Cold compaction merges a series' chunks whose first sample lies in one window of this length
// (aligned to the epoch, so four per partition) into cold blocks. Six hours at 15 s is 1440
// samples: large enough for the cold codecs to pay off, small enough that a short query over old
// data decodes little it does not need.
inline constexpr int64_t kColdWindowMs = 6LL * 3600 * 1000;
// So no stored chunk or block spans more than this: queries scan up to maxt + this.
inline constexpr int64_t kMaxStoredSpanMs = kColdWindowMs + kMaxChunkSpanMs;

// ---- integer helpers ----
void PutBE64(std::string* dst, uint64_t v);
uint64_t GetBE64(const char* p);
// Maps int64 order onto uint64 order so big-endian keys sort like the signed value.
inline uint64_t FlipSign(int64_t v) { return static_cast<uint64_t>(v) ^ (1ULL << 63); }
inline int64_t UnflipSign(uint64_t v) { return static_cast<int64_t>(v ^ (1ULL << 63)); }
// floor(t / kPartitionMs), correct for negative t.
int64_t PartitionOf(Timestamp t);
inline Timestamp PartitionStart(int64_t p) { return p * kPartitionMs; }
// floor(t / kColdWindowMs), correct for negative t.
int64_t ColdWindowOf(Timestamp t);
inline Timestamp ColdWindowStart(int64_t w) { return w * kColdWindowMs; }

// ---- keys ----
std::string SeriesKey(SeriesRef ref);                        // 8: ref BE
std::string HashKey(uint64_t hash, SeriesRef ref);           // 16: hash BE, ref BE
std::string PostingKey(std::string_view name, std::string_view value, SeriesRef ref);
std::string PostingPrefix(std::string_view name, std::string_view value);
std::string HeadLogKey(uint64_t seq);                        // 8: seq BE
std::string HeadMarkKey(SeriesRef ref);                      // 8: ref BE
std::string ColdTodoKey(int64_t window, SeriesRef ref);      // 16: window (flipped BE), ref BE
bool DecodeColdTodoKey(std::string_view key, int64_t* window, SeriesRef* ref);

// 32 bytes: partition (flipped BE) | ref BE | max time (flipped BE) | chunk id BE.
struct ChunkKey {
  int64_t partition = 0;
  SeriesRef ref = 0;
  Timestamp maxt = 0;
  uint64_t id = 0;
};
inline constexpr size_t kChunkKeySize = 32;
std::string EncodeChunkKey(const ChunkKey& k);
bool DecodeChunkKey(std::string_view key, ChunkKey* k);
// The 16-byte prefix shared by one series' chunks in one partition.
std::string ChunkSeriesPrefix(int64_t partition, SeriesRef ref);
std::string PartitionPrefix(int64_t partition);  // 8 bytes

// Chunk value: encoding byte | min time (zigzag varint) | encoded chunk bytes.
std::string EncodeChunkValue(uint8_t encoding, Timestamp mint, std::string_view bytes);
bool DecodeChunkValue(std::string_view value, uint8_t* encoding, Timestamp* mint,
                      std::string_view* bytes);

// Head mark value: all samples of the series in head-log records before `seq`, and the first
// `ord` samples of the series in record `seq`, are in persisted chunks. Also the time range of
// the series' persisted chunks, so Open needs no chunk scan. Four varints (times zigzag).
struct HeadMark {
  uint64_t seq = 0;
  uint64_t ord = 0;
  Timestamp persisted_min = kMaxTimestamp;
  Timestamp persisted_max = kMinTimestamp;
};
// Whether a persisted span [min, max] (empty when min > max, as a HeadMark starts) reaches
// into [mint, maxt].
inline bool PersistedSpanOverlaps(Timestamp min, Timestamp max, Timestamp mint, Timestamp maxt) {
  return min <= max && max >= mint && min <= maxt;
}
std::string EncodeHeadMark(const HeadMark& m);
bool DecodeHeadMark(std::string_view v, HeadMark* m);

}  // namespace tidemark::tsdb
