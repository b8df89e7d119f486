// The studio over HTTP on a free loopback port: it listens on 127.0.0.1 only by default, no
// request reads or writes outside its folders (path traversal in URLs, model names, fill files,
// training folders), bad requests are 400s naming the key, an upload over the limit is a 413,
// generation streams to a result whose MIDI reads back, and a client that goes away cancels
// its job.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/file_io.h"
#include "midi/reader.h"
#include "serve/studio.h"

namespace musegen::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* kSecret = "the secret outside every folder";

class StudioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("musegen_studio_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    for (const char* d : {"models", "data/tiny", "out"}) fs::create_directories(root_ / d);
    std::ofstream(root_ / "secret.txt") << kSecret;
    std::ofstream(root_ / "secret.pt") << kSecret;
    StudioOptions o;
    o.port = 0;
    o.models = root_ / "models";
    o.data = root_ / "data";
    o.out = root_ / "out";
    o.program = fs::path(MUSEGEN_BINARY_DIR) / "musegen-torch";
    o.max_upload_bytes = 4096;
    o.limits.max_length = 200000;  // long enough that a cancelled job is cancelled, not done
    studio_ = std::make_unique<Studio>(o);
    port_ = studio_->bind();
    thread_ = std::thread([this] { studio_->serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(120, 0);
  }
  void TearDown() override {
    studio_->stop();
    thread_.join();
    studio_.reset();
    fs::remove_all(root_);
  }

  // A TCP connection to the studio (-1 when it fails).
  int connect_loopback() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  // A request sent byte for byte (no client library normalising the path); the whole answer.
  std::string raw(const std::string& request) {
    const int fd = connect_loopback();
    EXPECT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    std::string answer;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, n);
    ::close(fd);
    return answer;
  }

  json post(const std::string& path, const json& body, int& status) {
    auto res = client_->Post(path.c_str(), body.dump(), "application/json");
    EXPECT_TRUE(res) << path;
    status = res ? res->status : 0;
    if (!res) return {};
    // A generation streams JSON lines: the last is the outcome.
    std::string text = res->body;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return json::parse(text.substr(text.rfind('\n') + 1), nullptr, false);
  }

  json health() { return json::parse(client_->Get("/api/health")->body); }

  fs::path root_;
  std::unique_ptr<Studio> studio_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

TEST_F(StudioTest, ListensOnLoopbackOnly) {
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  char port_hex[8];
  std::snprintf(port_hex, sizeof port_hex, "%04X", port_);
  bool found = false;
  while (std::getline(tcp, line)) {
    std::istringstream in(line);
    std::string slot, local;
    in >> slot >> local;
    if (local.size() > 5 && local.substr(local.size() - 4) == port_hex) {
      EXPECT_EQ(local.substr(0, 8), "0100007F") << "listening on " << local;
      found = true;
    }
  }
  EXPECT_TRUE(found) << "port " << port_ << " not in /proc/net/tcp";
}

TEST_F(StudioTest, NoPathLeavesItsFolders) {
  for (const std::string& path : std::vector<std::string>{
           "/api/files/../secret.txt", "/api/files/g1/..%2F..%2F..%2Fsecret.txt",
           "/api/files/%2e%2e/%2e%2e/secret.txt", "/api/files/../../secret.txt",
           "/static/..%2F..%2Fsecret.txt", "/static/../../../secret.txt",
           "/api/train/run-1/files/..%2F..%2F..%2Fsecret.txt", "/../secret.txt"}) {
    const std::string answer =
        raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(answer.find(kSecret), std::string::npos) << path;
    EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), std::string::npos) << path << ": " << answer;
  }
  int status = 0;
  for (const json& body :
       std::vector<json>{json{{"model", "models/../../secret.pt"}}, json{{"model", "/etc/passwd"}},
                         json{{"model", "runs/../../secret"}},
                         json{{"fill", {{"job_file", "../../secret.txt"}, {"bars", "1"}}}},
                         json{{"fill", {{"job_file", "/etc/passwd"}, {"bars", "1"}}}},
                         json{{"primer", "../secret.txt"}}}) {
    const json j = post("/api/generate", body, status);
    EXPECT_GE(status, 400) << body;
    EXPECT_LT(status, 500) << body;
  }
  for (const json& body : std::vector<json>{json{{"data", "../"}, {"minutes", 1}},
                                            json{{"data", "/tmp"}, {"minutes", 1}},
                                            json{{"data", "tiny/../.."}, {"minutes", 1}}}) {
    post("/api/train", body, status);
    EXPECT_EQ(status, 400) << body;
  }
  EXPECT_FALSE(fs::exists(root_ / "out/runs/run-1")) << "no run was started";
}

TEST_F(StudioTest, BadRequestsNameTheProblem) {
  int status = 0;
  json j = post("/api/generate", {{"temprature", 1.0}}, status);
  EXPECT_EQ(status, 400);
  EXPECT_NE(j["error"].get<std::string>().find("temprature"), std::string::npos) << j;
  j = post("/api/generate", {{"count", 99}}, status);
  EXPECT_EQ(status, 400);
  EXPECT_NE(j["error"].get<std::string>().find("count"), std::string::npos) << j;
  j = post("/api/generate", {{"top_p", "high"}}, status);
  EXPECT_EQ(status, 400);
  auto res = client_->Post("/api/generate", "{not json", "application/json");
  EXPECT_EQ(res->status, 400);
  res = client_->Post("/api/uploads?name=big.mid", std::string(5000, 'x'),
                      "application/octet-stream");
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find("limit"), std::string::npos) << res->body;
  EXPECT_EQ(client_->Get("/api/train/run-1?from_row=x")->status, 400);
  res = client_->Post("/api/uploads?name=..%2F..%2Fsecret.mid", std::string("MThd\0\0", 6),
                      "application/octet-stream");
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("secret.mid: "), std::string::npos)
      << "the name is kept to its last part: " << res->body;
  EXPECT_EQ(res->body.find(".."), std::string::npos) << res->body;
}

TEST_F(StudioTest, GeneratesAndTheMidiReadsBack) {
  int status = 0;
  const json req = {{"length", 60}, {"seed", 11}, {"count", 2}};
  const json j = post("/api/generate", req, status);
  ASSERT_EQ(status, 200);
  ASSERT_EQ(j["state"], "done") << j;
  const json& candidates = j["result"]["candidates"];
  ASSERT_EQ(candidates.size(), 2u);
  for (const auto& c : candidates) {
    const auto midi = client_->Get(c["urls"]["midi"].get<std::string>().c_str());
    ASSERT_EQ(midi->status, 200);
    std::istringstream in(midi->body);
    const midi::ReadResult read = midi::read(in, "take.mid");
    EXPECT_EQ(read.score.notes.size(), c["notes"].get<std::size_t>());
    EXPECT_EQ(c["roll"]["notes"].size(), c["notes"].get<std::size_t>());
    EXPECT_EQ(client_->Get(c["urls"]["wav"].get<std::string>().c_str())->body.rfind("RIFF", 0), 0u);
  }
  const json again = post("/api/generate", req, status);
  EXPECT_EQ(again["result"]["candidates"][0]["roll"], candidates[0]["roll"])
      << "same seed, same music";
}

TEST_F(StudioTest, AClientGoingAwayCancelsItsJob) {
  // A long request (8 x 200000 events): the client reads its first line and hangs up.
  const std::string body =
      json{{"length", 200000}, {"count", 8}, {"no_end", true}, {"seed", 1}}.dump();
  const int fd = connect_loopback();
  ASSERT_GE(fd, 0);
  const std::string request =
      "POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string got;
  char c;
  while (got.find("state") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) got += c;
  ASSERT_NE(got.find("200"), std::string::npos) << got;
  ::close(fd);
  // Polled with a generous deadline: the job stops at its next progress write.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  json h;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    h = health();
  } while (h["jobs"]["cancelled"] == 0 && h["jobs"]["done"] == 0 &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(h["jobs"]["cancelled"], 1) << h;
  EXPECT_EQ(h["jobs"]["done"], 0) << h;
  EXPECT_EQ(h["jobs"]["running"], 0) << h;
}

}  // namespace
}  // namespace musegen::serve
