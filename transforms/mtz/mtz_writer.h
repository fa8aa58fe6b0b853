// The Maltego configuration archive (.mtz) netcap ships: entity categories, netcap's own entity
// types, one local transform (.transform + .transformsettings) per registered transform, the
// local server listing and the transform set (spec /work/shared/reference/maltego.md §3).
// XML is written in the canonical form of spec §2.6 (no declaration, attributes sorted by name,
// explicit end tags) with the element order of spec §3.3-3.9, matching the maltego-trx vectors.
// Pure functions over their arguments: thread-safe, no global state, deterministic output.
#pragma once

#include <string>
#include <vector>

#include "core/util/status.h"
#include "transforms/registry.h"

namespace netcap {

// One archive member: its path inside the archive (forward slashes, no leading "./") and bytes.
struct MtzFile {
  std::string path;
  std::string bytes;
};

struct MtzOptions {
  // transform.local.command: how Maltego starts netcap (absolute path, or a name on PATH).
  std::string executable = "netcap";
  // transform.local.working-directory: an existing directory Maltego starts the process in
  // (spec §1.1: never rely on "/" being writable).
  std::string working_directory = "/tmp";
  // The transform set every transform joins (spec §3.9).
  std::string set_name = "netcap";
};

// The transform set / server constants used in the files (exposed for tests).
inline constexpr const char* kMtzSetDescription = "netcap network forensics transforms";
// LastSync of Servers/Local.tas: a fixed time, so that the archive is reproducible.
inline constexpr const char* kMtzLastSync = "2020-01-01 00:00:00 UTC";

// Every file of the archive, sorted by path. Maltego standard entities (ids "maltego.*") are
// referenced, never redefined. Local transform parameters are "transform local <id>" (the
// arguments of `netcap transform local <id> <value> <properties>`, spec §1.1).
std::vector<MtzFile> build_mtz_files(const TransformRegistry& registry, const MtzOptions& options);

// Writes `files` as a ZIP archive at `path` (replaced if it exists): deflate entries, no
// directory entries, every entry with the same fixed modification time, so identical inputs
// give identical bytes.
Status write_mtz(const std::vector<MtzFile>& files, const std::string& path);

// Writes `files` below directory `dir` (created as needed; existing files are overwritten,
// other files are left alone).
Status write_tree(const std::vector<MtzFile>& files, const std::string& dir);

}  // namespace netcap
