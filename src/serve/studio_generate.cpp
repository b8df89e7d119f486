// The studio's generation route: POST /api/generate checks the request, queues it (429 when
// the line is full) and streams its progress and outcome as JSON lines; a client that goes
// away cancels its job.
#include <chrono>
#include <cstdio>
#include <thread>

#include "compose/run.h"
#include "core/errors.h"
#include "serve/safe_path.h"
#include "serve/studio_impl.h"

namespace musegen::serve {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// compose::run with the library's errors turned into the request's faults where they are.
json run_job(const compose::GenerateRequest& request, const std::string& id, Job& job) {
  try {
    fs::create_directories(fs::path(request.out).parent_path());
    const compose::GenerateOutcome outcome =
        compose::run(request, [&](const std::string& phase, std::int64_t done, std::int64_t bound) {
          job.check_cancelled();
          if (phase == "generating") job.set_progress(done, bound);
        });
    return outcome_json(outcome, id, "/api/files/");
  } catch (const compose::UsageError& e) {
    throw RequestError{400, e.message, e.hint};
  } catch (const ConfigError& e) {
    throw RequestError{400, e.what(), ""};
  } catch (const ParseError& e) {
    throw RequestError{400, e.what(), "musegen reads Standard MIDI Files and MusicXML"};
  }
}

// "g12" (not "g" + std::to_string(n): GCC 12 warns wrongly, -Wrestrict, on that).
std::string numbered_id(char prefix, std::uint64_t n) {
  char text[32];
  std::snprintf(text, sizeof text, "%c%llu", prefix, static_cast<unsigned long long>(n));
  return text;
}

bool is_final(const json& snapshot) {
  const std::string s = snapshot["state"];
  return s == "done" || s == "failed" || s == "cancelled";
}

// Streams the job's snapshots as JSON lines, at most about five a second, the last one final.
// A failed write (the client went away) cancels the job.
bool stream_job(const std::shared_ptr<Job>& job, httplib::DataSink& sink) {
  std::uint64_t version = 0;
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  for (;;) {
    json snap = job->wait_snapshot(version, 500, version);
    const auto since = std::chrono::steady_clock::now() - last;
    if (!is_final(snap) && since < std::chrono::milliseconds(200)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200) - since);  // rate, not sync
      snap = job->wait_snapshot(version, 0, version);
    }
    const std::string line = snap.dump() + "\n";
    if (!sink.write(line.data(), line.size())) {
      job->cancel();
      return false;
    }
    last = std::chrono::steady_clock::now();
    if (is_final(snap)) {
      sink.done();
      return true;
    }
  }
}

}  // namespace

void Studio::Impl::generate_routes() {
  server.Post("/api/generate", [this](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      const std::string id = numbered_id('g', next_job++);
      const fs::path folder = jobs_folder / id;
      RequestPaths paths;
      paths.model = [this](const std::string& name) { return model_spec(name); };
      paths.upload = [this](const std::string& upload) { return uploads.path(upload); };
      paths.job_file = [this](const std::string& file) {
        const fs::path p = resolve_inside(jobs_folder, file, "job_file");
        if (!fs::is_regular_file(p))
          throw RequestError{404, "no generated file '" + file + "'", ""};
        return p;
      };
      const compose::GenerateRequest request =
          parse_generate_request(body_json(req), options.limits, paths, folder);
      compose::GenerateRequest checked = request;
      compose::prepare_request(checked);  // usage errors answer 400 before queueing
      auto job = queue.submit([this, request, id, folder](Job& j) {
        keep_job_folder(folder);  // counted (and pruned in time) even when the job fails
        return run_job(request, id, j);
      });
      if (!job) {
        const auto c = queue.counts();
        res.set_header("Retry-After", "5");
        send_json(
            res,
            {{"error", "the studio is busy: " + std::to_string(c.waiting) +
                           " requests are waiting (at most " + std::to_string(c.max_waiting) + ")"},
             {"hint", "try again in a few seconds"}},
            429);
        return;
      }
      res.set_chunked_content_provider(
          "application/x-ndjson",
          [job](std::size_t, httplib::DataSink& sink) { return stream_job(job, sink); },
          [job](bool success) {
            if (!success) job->cancel();
          });
    });
  });
}

}  // namespace musegen::serve
