// The engravers' plumbing: running a program with a time limit, and finding an engraver (a
// one-line error naming the Debian package when none is installed).
#include "score/engrave.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/errors.h"
#include "score/process.h"

namespace musegen::score {
namespace {

TEST(Process, ExitCodeAndOutput) {
  TempFolder folder;
  const auto r = run_process("/bin/sh", {"-c", "echo made in $PWD; echo to stderr >&2; exit 3"}, {},
                             folder.path(), 60);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.output.find("made in " + folder.path().string()), std::string::npos);
  EXPECT_NE(r.output.find("to stderr"), std::string::npos);
  const auto env = run_process("/bin/sh", {"-c", "echo $MUSEGEN_PROBE"}, {"MUSEGEN_PROBE=seen"},
                               folder.path(), 60);
  EXPECT_EQ(env.output, "seen\n");
}

TEST(Process, RunningOverTimeIsStopped) {
  TempFolder folder;
  const auto r = run_process("/bin/sh", {"-c", "sleep 60 & sleep 60"}, {}, folder.path(), 0.3);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(run_process(folder.path() / "no-such-program", {}, {}, folder.path(), 60).exit_code,
            127);
}

TEST(Process, TempFolderGoesAway) {
  std::filesystem::path kept;
  {
    TempFolder folder;
    kept = folder.path();
    EXPECT_TRUE(std::filesystem::is_directory(kept));
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

// Runs `body` with PATH set to an empty folder, then restores it.
template <typename Body>
void without_programs(Body body) {
  const char* old = std::getenv("PATH");
  const std::string saved = old ? old : "";
  TempFolder empty;
  ::setenv("PATH", empty.path().c_str(), 1);
  body();
  ::setenv("PATH", saved.c_str(), 1);
}

TEST(Engrave, MissingEngraverNamesThePackage) {
  EXPECT_THROW(find_engraver("sibelius"), ConfigError);
  without_programs([] {
    for (const auto& [choice, package] :
         {std::pair{"auto", "musescore3"}, std::pair{"musescore", "musescore3"},
          std::pair{"lilypond", "lilypond"}}) {
      try {
        find_engraver(choice);
        ADD_FAILURE() << choice;
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("install the Debian package " + std::string(package)),
                  std::string::npos)
            << e.what();
      }
    }
  });
}

TEST(Engrave, OnlyPdfAndPng) {
  const Engraver e{EngraverKind::musescore, "/bin/false", {}};
  EXPECT_THROW(engrave(e, "in.musicxml", "out.jpg"), ConfigError);
}

}  // namespace
}  // namespace musegen::score
