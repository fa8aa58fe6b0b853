#include "forensics/files/file_store.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "proto/file.pb.h"

namespace fs = std::filesystem;
using netcap::files::FileStore;
using netcap::files::FileStoreOptions;
using netcap::files::safe_file_name;

namespace {

struct TempCase {
  fs::path dir;
  TempCase() {
    static int n = 0;
    dir = fs::temp_directory_path() /
          ("netcap-files-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir);
  }
  ~TempCase() { fs::remove_all(dir); }
};

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::unique_ptr<FileStore> make_store(const TempCase& c, FileStoreOptions o = {}) {
  auto store = FileStore::create(c.dir.string(), o);
  REQUIRE(store.has_value());
  return std::move(store.value());
}

netcap::app::FileOrigin origin(std::string name) {
  netcap::app::FileOrigin o;
  o.protocol = "http";
  o.name = std::move(name);
  o.ts_ns = 1000;
  return o;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("file store: hashes match the FIPS/RFC test vectors and the content is stored") {
  TempCase c;
  auto store = make_store(c);
  auto w = store->open(origin("abc.txt"));
  w->write(0, bytes("ab"), 1000);
  w->write(2, bytes("c"), 2000);
  auto rec = w->close(true, "", 3000);
  REQUIRE(rec);
  CHECK(rec->md5() == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(rec->sha1() == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(rec->sha256() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(rec->size() == 3);
  CHECK(rec->complete());
  CHECK_FALSE(rec->truncated());
  CHECK(rec->missingbytes() == 0);
  CHECK(rec->timestamp() == 1000);
  CHECK(rec->timestamplast() == 3000);
  CHECK(rec->path() == "files/ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(slurp(c.dir / rec->path()) == "abc");
  CHECK(rec->mimetype() == "text/plain");
  CHECK(fs::is_empty(c.dir / "files" / "tmp"));
}

TEST_CASE("file store: same content is stored once") {
  TempCase c;
  auto store = make_store(c);
  std::string paths[2];
  for (auto& p : paths) {
    auto w = store->open(origin("x"));
    w->write(0, bytes("%PDF-1.4\n%same content\n"), 1);
    auto rec = w->close(true, "", 2);
    REQUIRE(rec);
    CHECK(rec->mimetype() == "application/pdf");
    p = rec->path();
  }
  CHECK(paths[0] == paths[1]);
  size_t stored = 0;
  for (const auto& e : fs::recursive_directory_iterator(c.dir / "files"))
    stored += e.is_regular_file() ? 1 : 0;
  CHECK(stored == 1);
  // The duplicate's bytes were given back to the storage cap.
  CHECK(store->used_bytes() == 23);
}

TEST_CASE("file store: out-of-order offsets are stitched, holes are missing bytes") {
  TempCase c;
  // The same results whether a file stays in memory, is spilled to disk in the middle of the
  // transfer (per-file memory budget of 4 bytes) or from its first byte (no memory budget).
  FileStoreOptions o;
  const int memory_mode = GENERATE(0, 1, 2);
  if (memory_mode == 1) o.max_memory_bytes_per_file = 4;
  if (memory_mode == 2) o.max_memory_bytes = 0;
  CAPTURE(memory_mode);
  auto store = make_store(c, o);
  SECTION("reordered pieces") {
    auto w = store->open(origin("r"));
    w->write(3, bytes("def"), 1);
    w->write(0, bytes("abc"), 2);
    w->write(1, bytes("XXXX"), 3);  // overlaps: the first copy wins
    auto rec = w->close(true, "", 4);
    CHECK(rec->sha256() == "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721");
    CHECK(rec->complete());
    CHECK(slurp(c.dir / rec->path()) == "abcdef");
  }
  SECTION("a hole stays zeros and is counted") {
    auto w = store->open(origin("h"));
    w->write(0, bytes("abc"), 1);
    w->gap(3, 3, 2);
    w->write(6, bytes("ghi"), 3);
    auto rec = w->close(false, "connection ended", 4);
    CHECK(rec->size() == 9);
    CHECK(rec->missingbytes() == 3);
    CHECK_FALSE(rec->complete());
    CHECK(rec->truncatedreason() == "connection ended");
    CHECK(slurp(c.dir / rec->path()) == std::string("abc\0\0\0ghi", 9));
  }
  SECTION("a gap at the end and a declared size beyond the data") {
    auto declared = origin("d");
    declared.declared_size = 10;
    auto w = store->open(declared);
    w->write(0, bytes("abcd"), 1);
    auto rec = w->close(false, "connection ended", 2);
    CHECK(rec->size() == 4);
    CHECK(rec->missingbytes() == 6);
    CHECK(rec->declaredsize() == 10);
  }
}

TEST_CASE("file store: per-file and total caps are recorded") {
  TempCase c;
  FileStoreOptions o;
  o.max_file_bytes = 4;
  o.max_total_bytes = 6;
  auto store = make_store(c, o);
  auto a = store->open(origin("a"));
  a->write(0, bytes("0123456789"), 1);
  auto ra = a->close(true, "", 2);
  CHECK(ra->size() == 4);
  CHECK(ra->truncated());
  CHECK(ra->truncatedreason() == "file size cap");
  CHECK_FALSE(ra->complete());
  CHECK(ra->missingbytes() == 0);
  auto b = store->open(origin("b"));
  b->write(0, bytes("abcd"), 3);
  auto rb = b->close(true, "", 4);
  CHECK(rb->size() == 2);
  CHECK(rb->truncatedreason() == "storage cap");
  CHECK(store->used_bytes() == 6);
}

TEST_CASE("file store: protocol truncation, empty transfers, abandoned writers") {
  TempCase c;
  auto store = make_store(c);
  auto w = store->open(origin("bomb"));
  w->write(0, bytes("xxxx"), 1);
  w->truncated("decompression bomb: ratio over 1000");
  auto rec = w->close(false, "", 2);
  CHECK(rec->truncated());
  CHECK(rec->truncatedreason() == "decompression bomb: ratio over 1000");
  auto empty = store->open(origin("e"));
  CHECK(empty->close(true, "", 3) == nullptr);
  {
    auto dropped = store->open(origin("d"));
    dropped->write(0, bytes("zz"), 4);
  }
  CHECK(fs::is_empty(c.dir / "files" / "tmp"));
  CHECK(store->used_bytes() == 4);
}

TEST_CASE("file store: names from the wire become safe names") {
  const std::string h = "0123456789abcdef";
  CHECK(safe_file_name("../../etc/passwd", h) == "passwd_0123456789ab");
  CHECK(safe_file_name("..\\..\\Windows\\evil.exe", h) == "evil_0123456789ab.exe");
  CHECK(safe_file_name("..", h) == "file_0123456789ab");
  CHECK(safe_file_name("", h) == "file_0123456789ab");
  CHECK(safe_file_name(".bashrc", h) == "bashrc_0123456789ab");
  CHECK(safe_file_name("a b;rm -rf.pdf", h) == "a_b_rm_-rf_0123456789ab.pdf");
  CHECK(safe_file_name(std::string("x\0y/z\n", 6), h) == "z__0123456789ab");
  const std::string long_name(300, 'a');
  CHECK(safe_file_name(long_name, h).size() == 80 + 13);
}

TEST_CASE("file store: a hole past the limit freezes the file and is recorded") {
  TempCase c;
  FileStoreOptions o;
  o.max_hole_bytes = 4;
  auto store = make_store(c, o);
  SECTION("small holes are zero-filled up to the limit") {
    auto w = store->open(origin("small"));
    w->write(0, bytes("ab"), 1);
    w->write(4, bytes("ef"), 2);  // hole of 2
    w->write(8, bytes("ij"), 3);  // holes of 4 in all: still allowed
    auto rec = w->close(false, "connection ended", 4);
    CHECK(rec->size() == 10);
    CHECK(rec->missingbytes() == 4);
    CHECK_FALSE(rec->truncated());
  }
  SECTION("a write that would open a larger hole is dropped, and so is everything after it") {
    auto o2 = origin("big");
    o2.declared_size = 1000;
    auto w = store->open(o2);
    w->write(0, bytes("abc"), 1);
    w->write(500, bytes("far away"), 2);  // a hole of 497 bytes
    w->write(3, bytes("d"), 3);           // below the frozen extent: still taken? no, extends it
    w->write(20, bytes("x"), 4);          // past the frozen extent: dropped
    auto rec = w->close(false, "connection ended", 5);
    CHECK(rec->size() == 4);
    CHECK(slurp(c.dir / rec->path()) == "abcd");
    CHECK(rec->truncated());
    CHECK(rec->truncatedreason() == "more than 4 missing bytes; connection ended");
    CHECK(rec->missingbytes() == 996);  // the wire's missing bytes, counted to the declared size
    CHECK_FALSE(rec->complete());
  }
}

TEST_CASE("file store: small files stay in memory until stored; big ones spill to a temp file") {
  TempCase c;
  FileStoreOptions o;
  o.max_memory_bytes_per_file = 8;
  auto store = make_store(c, o);
  const fs::path tmp = c.dir / "files" / "tmp";

  auto small = store->open(origin("small"));
  small->write(0, bytes("12345678"), 1);
  CHECK(fs::is_empty(tmp));
  CHECK(store->memory_bytes() == 8);
  auto big = store->open(origin("big"));
  big->write(0, bytes("123456789"), 1);  // past the per-file budget: spilled
  CHECK_FALSE(fs::is_empty(tmp));

  auto rec = small->close(true, "", 2);
  CHECK(slurp(c.dir / rec->path()) == "12345678");
  CHECK(store->memory_bytes() == 0);
  auto rec_big = big->close(true, "", 2);
  CHECK(slurp(c.dir / rec_big->path()) == "123456789");
  CHECK(fs::is_empty(tmp));

  // A duplicate held in memory never touches the disk and gives its budget back.
  auto again = store->open(origin("again"));
  again->write(0, bytes("12345678"), 3);
  CHECK(fs::is_empty(tmp));
  auto rec_again = again->close(true, "", 4);
  CHECK(rec_again->path() == rec->path());
  CHECK(store->memory_bytes() == 0);
  CHECK(store->used_bytes() == 17);

  // An abandoned writer gives its memory back too.
  {
    auto abandoned = store->open(origin("abandoned"));
    abandoned->write(0, bytes("abc"), 5);
    CHECK(store->memory_bytes() > 0);
  }
  CHECK(store->memory_bytes() == 0);
}

TEST_CASE("file store: the shared memory budget spills the file that would pass it") {
  TempCase c;
  FileStoreOptions o;
  o.max_memory_bytes_per_file = 1 << 20;
  o.max_memory_bytes = 32 * 1024;
  auto store = make_store(c, o);
  const std::string block(20 * 1024, 'a');
  auto first = store->open(origin("first"));
  first->write(0, bytes(block), 1);
  auto second = store->open(origin("second"));
  second->write(0, bytes(block + "b"), 1);  // does not fit beside the first: spilled
  CHECK(store->memory_bytes() <= o.max_memory_bytes);
  CHECK_FALSE(fs::is_empty(c.dir / "files" / "tmp"));
  auto r1 = first->close(true, "", 2);
  auto r2 = second->close(true, "", 2);
  CHECK(slurp(c.dir / r1->path()) == block);
  CHECK(slurp(c.dir / r2->path()) == block + "b");
  CHECK(store->memory_bytes() == 0);
}
