#include "validate/validate.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <thread>

#include "clickhouse/connection.h"
#include "common/strings.h"
#include "mysql/table_schema_loader.h"
#include "pipeline/clickhouse_checkpoint_mirror.h"
#include "snapshot/binlog_start.h"
#include "snapshot/chunk_reader.h"
#include "validate/mirror_progress.h"

namespace mysql2ch::validate {
namespace {

// What one table's comparison needs kept alive: the comparer points into the schema and the target.
struct TableWork {
  schema::TableSchema schema;
  TargetTable target;
  std::unique_ptr<TableComparer> comparer;
  TableComparison result;
};

bool any_difference(const std::vector<std::unique_ptr<TableWork>>& work) {
  for (const auto& w : work) {
    if (!w->result.equal()) return true;
  }
  return false;
}

// Reading the checkpoint is one small query: polling it often keeps the wait close to the actual lag.
constexpr std::chrono::milliseconds kCheckpointPoll{250};

// Waits until the destination's checkpoint covers `position`; false when it did not within `limit`.
Result<bool> wait_for_checkpoint(pipeline::ClickHouseCheckpointMirror& mirror, const state::BinlogPosition& position,
                                 std::chrono::milliseconds poll, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    TRY_ASSIGN(const std::optional<pipeline::Checkpoint> checkpoint, mirror.load());
    if (checkpoint) {
      TRY_ASSIGN(const bool covered, checkpoint_covers(checkpoint->position, position));
      if (covered) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace

Result<ValidateReport> run_validate(const Config& config, const ValidateOptions& options) {
  ComparisonOptions compare_options;
  compare_options.range_rows = options.range_rows != 0 ? options.range_rows : config.snapshot.chunk_rows;
  compare_options.max_keys = options.max_keys;
  if (compare_options.range_rows == 0) {
    return make_error(ErrorCode::kInvalidArgument, "--range-rows must be at least 1");
  }

  TRY_ASSIGN(Connection source, snapshot::open_snapshot_connection(ConnectOptions::from_source(config.source)));
  TRY_ASSIGN(auto destination, open_clickhouse(config.destination, config_base_dir(config)));
  TRY_ASSIGN(const ServerCapabilities caps, destination->capabilities());
  pipeline::ClickHouseCheckpointMirror mirror(*destination, pipeline::state_database(config),
                                              pipeline::pipeline_name(config));

  TRY_ASSIGN(std::vector<SourceTableName> selected, list_selected_tables(source, config.tables));
  std::erase_if(selected, [&](const SourceTableName& t) {
    return !options.tables.empty() && !glob_match(options.tables, t.qualified());
  });

  ValidateReport report;
  TRY_ASSIGN(const std::optional<pipeline::Checkpoint> checkpoint_at_start, mirror.load());
  TRY_ASSIGN(const state::BinlogPosition position_at_start, snapshot::read_binlog_position(source));
  report.source_position = describe_position(position_at_start);

  std::vector<std::unique_ptr<TableWork>> work;
  for (const SourceTableName& t : selected) {
    auto w = std::make_unique<TableWork>();
    TRY_ASSIGN(w->schema, load_table_schema(source, t.database, t.table));
    TRY_ASSIGN(w->target, map_table(w->schema, target_name(config.destination, t.database, t.table), caps,
                                    TypeMappingOptions::from(config.destination)));
    w->comparer = std::make_unique<TableComparer>(source, *destination, w->schema, w->target, compare_options);
    spdlog::info("validate: {}", t.qualified());
    TRY_ASSIGN(w->result, w->comparer->compare());
    work.push_back(std::move(w));
  }
  TRY_ASSIGN(const state::BinlogPosition position_at_end, snapshot::read_binlog_position(source));

  if (any_difference(work)) {
    bool final_now = false;
    if (!checkpoint_at_start) {
      report.notes.push_back(
          "the destination has no checkpoint of this configuration's sync: differences are reported as found, "
          "without waiting for replication");
      final_now = true;
    } else if (position_at_end == position_at_start) {
      TRY_ASSIGN(const bool covered, checkpoint_covers(checkpoint_at_start->position, position_at_start));
      // Nothing changed on the source during the pass and the mirror had everything: no lag to wait out.
      final_now = covered;
      if (covered) {
        report.notes.push_back("the source did not change during the comparison and the destination's checkpoint "
                               "covered its position: the differences are not replication lag");
      }
    }
    const std::chrono::milliseconds limit =
        options.recheck_wait.value_or(std::chrono::seconds(3ull * config.pipeline.checkpoint_interval_s));
    for (unsigned round = 0; !final_now && round < options.rechecks && any_difference(work); ++round) {
      TRY_ASSIGN(const state::BinlogPosition target, snapshot::read_binlog_position(source));
      TRY_ASSIGN(const bool caught_up, wait_for_checkpoint(mirror, target, kCheckpointPoll, limit));
      if (!caught_up) {
        TRY_ASSIGN(const std::optional<pipeline::Checkpoint> latest, mirror.load());
        report.notes.push_back(fmt::format(
            "the destination's checkpoint ({}) did not reach the source position {} within {:.1f} s: the "
            "differences may include replication lag (is sync running?)",
            latest ? latest->position.to_string() : std::string("none"), describe_position(target),
            static_cast<double>(limit.count()) / 1000));
        break;
      }
      ++report.rechecks;
      for (auto& w : work) {
        if (!w->result.equal()) TRY(w->comparer->recheck(w->result));
      }
    }
    if (report.rechecks > 0) {
      report.notes.push_back(fmt::format("differing ranges were read again {} time(s) after the destination's "
                                         "checkpoint had passed the source position",
                                         report.rechecks));
    }
  }
  for (auto& w : work) report.tables.push_back(std::move(w->result));
  return report;
}

}  // namespace mysql2ch::validate
