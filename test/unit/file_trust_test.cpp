// Who may change a config file (config/file_trust.h): with a fake filesystem
// for every rule, and once on real files and links.
#include "config/file_trust.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <map>

#include "fixture.h"

using namespace unitoomd;

namespace {

const std::string kOnlyRoot = "; only root may be able to change what unitoomd kills";

struct Entry {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;
  std::string target;  // for a symbolic link
};

// A filesystem of root-owned 0755 directories and 0644 files, changed by
// each test where it matters.
class FakeFs {
 public:
  FakeFs() {
    dir("/");
    dir("/etc");
    dir("/etc/unitoomd");
    file("/etc/unitoomd/rulesets.json");
    dir("/tmp", 0, 01777);
    dir("/work");
  }
  Entry& dir(const std::string& p, uid_t uid = 0, mode_t mode = 0755) { return e_[p] = {uid, 0, S_IFDIR | mode, ""}; }
  Entry& file(const std::string& p, uid_t uid = 0, mode_t mode = 0644, gid_t gid = 0) {
    return e_[p] = {uid, gid, S_IFREG | mode, ""};
  }
  Entry& link(const std::string& p, const std::string& target, uid_t uid = 0) { return e_[p] = {uid, 0, S_IFLNK | 0777, target}; }
  Entry& at(const std::string& p) { return e_.at(p); }

  TrustFs fs() const {
    return TrustFs{
        [this](const std::string& p) -> Result<FileStat> {
          auto it = e_.find(p);
          if (it == e_.end()) return Error{ENOENT, "no such file"};
          return FileStat{it->second.uid, it->second.gid, it->second.mode};
        },
        [this](const std::string& p) -> Result<std::string> {
          auto it = e_.find(p);
          if (it == e_.end() || !S_ISLNK(it->second.mode)) return Error{EINVAL, "not a link"};
          return it->second.target;
        },
        []() -> Result<std::string> { return std::string("/work"); },
    };
  }

 private:
  std::map<std::string, Entry> e_;
};

// "" when trusted, else the message.
std::string check(const FakeFs& f, const std::string& path, uid_t euid = 0) {
  auto r = checkFileTrust(path, euid, f.fs());
  if (r) return "";
  EXPECT_EQ(r.error().errnum, 0) << r.error().message;
  return r.error().message;
}

}  // namespace

TEST(FileTrust, ARootOwnedFileNobodyElseMayWriteIsTrusted) {
  FakeFs f;
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "");
  f.at("/etc/unitoomd/rulesets.json").mode = S_IFREG | 0600;
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "");
}

TEST(FileTrust, AFileOwnedByAnotherUserIsRefused) {
  FakeFs f;
  f.file("/etc/unitoomd/rulesets.json", 1001);
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "refused: is owned by uid 1001" + kOnlyRoot);
}

TEST(FileTrust, AUserInstanceTrustsItsOwnUsersFilesAndRootsButNoOneElses) {
  FakeFs f;
  f.dir("/home");
  f.dir("/home/alice", 1000, 0700);
  f.dir("/home/alice/.config", 1000);
  f.file("/home/alice/.config/unitoomd.conf", 1000);
  EXPECT_EQ(check(f, "/home/alice/.config/unitoomd.conf", 1000), "");
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json", 1000), "");  // root's
  EXPECT_EQ(check(f, "/home/alice/.config/unitoomd.conf", 1002),
            "refused: its directory /home/alice is owned by uid 1000; only root and uid 1002 may be able to change what unitoomd "
            "kills");
  // the system instance does not trust a user's file
  EXPECT_NE(check(f, "/home/alice/.config/unitoomd.conf", 0), "");
}

TEST(FileTrust, AGroupOrWorldWritableFileIsRefusedWithItsMode) {
  FakeFs f;
  f.file("/etc/unitoomd/rulesets.json", 0, 0664, 1001);
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "refused: is writable by group 1001 (mode 0664)" + kOnlyRoot);
  f.file("/etc/unitoomd/rulesets.json", 0, 0666);
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "refused: is writable by others (mode 0666)" + kOnlyRoot);
  f.file("/etc/unitoomd/rulesets.json", 0, 0646);
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "refused: is writable by others (mode 0646)" + kOnlyRoot);
  // the sticky bit means nothing on a file
  f.file("/etc/unitoomd/rulesets.json", 0, 01666);
  EXPECT_NE(check(f, "/etc/unitoomd/rulesets.json"), "");
}

// Every directory from / down: another owner, group write, world write.
class FileTrustAncestor : public ::testing::TestWithParam<std::string> {};

TEST_P(FileTrustAncestor, AnyAncestorAnotherUserMayChangeRefusesTheFile) {
  const std::string dir = GetParam();
  {
    FakeFs f;
    f.dir(dir, 1000);
    EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "refused: its directory " + dir + " is owned by uid 1000" + kOnlyRoot);
  }
  {
    FakeFs f;
    f.dir(dir, 0, 0775).gid = 50;
    EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"),
              "refused: its directory " + dir + " is writable by group 50 (mode 0775)" + kOnlyRoot);
  }
  {
    FakeFs f;
    f.dir(dir, 0, 0777);
    EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"),
              "refused: its directory " + dir + " is writable by others (mode 0777)" + kOnlyRoot);
  }
  {
    FakeFs f;
    f.dir(dir, 0, 01777);  // sticky: others cannot replace what they do not own
    EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "");
  }
}

INSTANTIATE_TEST_SUITE_P(EachDirectory, FileTrustAncestor, ::testing::Values("/", "/etc", "/etc/unitoomd"));

TEST(FileTrust, AStickyDirectoryIsFineIfItsOwnerAndTheFilesOwnerAreTrusted) {
  FakeFs f;
  f.dir("/tmp/t", 0, 0700);
  f.file("/tmp/t/u.conf");
  f.file("/tmp/u.conf");
  EXPECT_EQ(check(f, "/tmp/t/u.conf"), "");
  EXPECT_EQ(check(f, "/tmp/u.conf"), "");
  f.file("/tmp/u.conf", 1000);  // a user's file in /tmp
  EXPECT_EQ(check(f, "/tmp/u.conf"), "refused: is owned by uid 1000" + kOnlyRoot);
  f.dir("/tmp/t", 1000, 0700);  // a user's directory in /tmp
  EXPECT_EQ(check(f, "/tmp/t/u.conf"), "refused: its directory /tmp/t is owned by uid 1000" + kOnlyRoot);
  f.dir("/tmp", 1000, 01777);  // a sticky directory's owner may replace anything in it
  EXPECT_EQ(check(f, "/tmp/u.conf"), "refused: its directory /tmp is owned by uid 1000" + kOnlyRoot);
}

TEST(FileTrust, ASymlinkedFileIsJudgedByItsRealPath) {
  FakeFs f;
  f.dir("/srv");
  f.dir("/srv/shared", 0, 0777);
  f.file("/srv/shared/rules.json");
  f.link("/etc/unitoomd/rulesets.json", "/srv/shared/rules.json");
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"),
            "refused: its directory /srv/shared is writable by others (mode 0777)" + kOnlyRoot);
  f.dir("/srv/shared");
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "");
  f.file("/srv/shared/rules.json", 0, 0666);
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"),
            "refused: its real file /srv/shared/rules.json is writable by others (mode 0666)" + kOnlyRoot);
}

TEST(FileTrust, ARelativeSymlinkAndASymlinkedDirectoryAreResolved) {
  FakeFs f;
  f.dir("/opt");
  f.dir("/opt/unitoomd", 1000);
  f.file("/opt/unitoomd/rulesets.json");
  f.link("/etc/unitoomd", "../opt/unitoomd");
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "refused: its directory /opt/unitoomd is owned by uid 1000" + kOnlyRoot);
  f.dir("/opt/unitoomd");
  EXPECT_EQ(check(f, "/etc/unitoomd/rulesets.json"), "");
  // through the linked directory, then a relative link in it
  f.link("/opt/unitoomd/x.json", "./rulesets.json");
  EXPECT_EQ(check(f, "/etc/unitoomd/x.json"), "");
  f.file("/opt/unitoomd/rulesets.json", 0, 0664);
  EXPECT_EQ(check(f, "/etc/unitoomd/x.json"),
            "refused: its real file /opt/unitoomd/rulesets.json is writable by group 0 (mode 0664)" + kOnlyRoot);
}

TEST(FileTrust, TheDirectoryHoldingASymlinkIsCheckedToo) {
  FakeFs f;
  f.dir("/work/drop", 1000);
  f.link("/work/drop/rulesets.json", "/etc/unitoomd/rulesets.json");
  // the target is fine, but uid 1000 may point the link elsewhere
  EXPECT_EQ(check(f, "/work/drop/rulesets.json"), "refused: its directory /work/drop is owned by uid 1000" + kOnlyRoot);
}

TEST(FileTrust, ASymlinkInAStickyDirectoryMustBeOwnedByRoot) {
  FakeFs f;
  f.link("/tmp/rules.json", "/etc/unitoomd/rulesets.json", 1000);
  EXPECT_EQ(check(f, "/tmp/rules.json"),
            "refused: the symbolic link /tmp/rules.json in the sticky directory /tmp is owned by uid 1000" + kOnlyRoot);
  f.link("/tmp/rules.json", "/etc/unitoomd/rulesets.json", 0);
  EXPECT_EQ(check(f, "/tmp/rules.json"), "");
  // in a directory only root may write to, nobody can replace the link, whoever owns it
  f.link("/etc/unitoomd/other.json", "rulesets.json", 1000);
  EXPECT_EQ(check(f, "/etc/unitoomd/other.json"), "");
}

TEST(FileTrust, ARelativePathStartsFromTheCurrentDirectory) {
  FakeFs f;
  f.file("/work/u.conf");
  EXPECT_EQ(check(f, "u.conf"), "");
  f.dir("/work", 0, 0757);
  EXPECT_EQ(check(f, "u.conf"), "refused: its directory /work is writable by others (mode 0757)" + kOnlyRoot);
  f.dir("/work");
  EXPECT_EQ(check(f, "../etc/./unitoomd/rulesets.json"), "");
}

TEST(FileTrust, WhatCannotBeLookedAtIsAnErrnoNotARefusal) {
  FakeFs f;
  auto missing = checkFileTrust("/etc/unitoomd/nope.json", 0, f.fs());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().errnum, ENOENT);
  auto missingDir = checkFileTrust("/nope/u.conf", 0, f.fs());
  ASSERT_FALSE(missingDir);
  EXPECT_EQ(missingDir.error().errnum, ENOENT);
  auto notDir = checkFileTrust("/etc/unitoomd/rulesets.json/x", 0, f.fs());
  ASSERT_FALSE(notDir);
  EXPECT_EQ(notDir.error().errnum, ENOTDIR);
  f.link("/etc/a", "/etc/b");
  f.link("/etc/b", "a");
  auto loop = checkFileTrust("/etc/a", 0, f.fs());
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().errnum, ELOOP);
}

// The same rules on the real filesystem (lstat, readlink, getcwd).
TEST(FileTrustOnDisk, RealFilesAndLinks) {
  unitoomd::test::FixtureTree t;  // a 0700 directory of ours in /tmp (sticky)
  std::string dir = t.procRoot() + "/conf";
  std::filesystem::create_directories(dir);
  ASSERT_EQ(chmod(t.procRoot().c_str(), 0755), 0);
  ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
  std::string file = dir + "/rules.json";
  unitoomd::test::FixtureTree::write(file, "{}");
  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  EXPECT_TRUE(checkFileTrust(file));
  std::filesystem::create_symlink("rules.json", dir + "/link.json");
  EXPECT_TRUE(checkFileTrust(dir + "/link.json"));

  ASSERT_EQ(chmod(file.c_str(), 0666), 0);
  auto r = checkFileTrust(dir + "/link.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errnum, 0);
  EXPECT_NE(r.error().message.find("refused: its real file " + std::filesystem::canonical(file).string() +
                                   " is writable by others (mode 0666)"),
            std::string::npos)
      << r.error().message;

  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
  r = checkFileTrust(file);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("is writable by others (mode 0777)"), std::string::npos) << r.error().message;

  ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
  EXPECT_EQ(checkFileTrust(dir + "/missing.json").error().errnum, ENOENT);
}
