// The studio's training routes: folders to train on, runs started, stopped and resumed, their
// files, and their progress as server-sent events (a "status" event whenever a metrics row,
// the state or the log changes; "end" when the run is no longer running).
#include <chrono>
#include <thread>

#include "core/file_io.h"

#include "serve/safe_path.h"
#include "serve/studio_impl.h"

namespace musegen::serve {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool send_event(httplib::DataSink& sink, const std::string& event, const json& data) {
  const std::string text = "event: " + event + "\ndata: " + data.dump() + "\n\n";
  return sink.write(text.data(), text.size());
}

// One SSE stream: polls the run every half second (its files are written by another process),
// sends what is new, a comment every 10 s to notice a client gone, and ends after the run.
bool stream_run(TrainingRuns& runs, const std::string& id, httplib::DataSink& sink) {
  std::size_t rows_sent = 0;
  std::string last_state, last_log;
  auto last_write = std::chrono::steady_clock::now();
  for (;;) {
    json s = runs.status(id, rows_sent);
    const std::string state = s["state"], log = s["log"];
    if (!s["rows"].empty() || state != last_state || log != last_log) {
      if (!send_event(sink, "status", s)) return false;
      rows_sent += s["rows"].size();
      last_state = state;
      last_log = log;
      last_write = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_write > std::chrono::seconds(10)) {
      if (!sink.write(": alive\n\n", 9)) return false;
      last_write = std::chrono::steady_clock::now();
    }
    if (state != "running" && state != "stopping") {
      send_event(sink, "end", {{"state", state}});
      sink.done();
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // polling another process's files
  }
}

}  // namespace

void Studio::Impl::train_routes() {
  server.Get("/api/datasets", [this](const httplib::Request&, httplib::Response& res) {
    answer(res, [&] {
      json out = json::array();
      if (!options.data.empty())
        for (const auto& f : music_folders(options.data, 500))
          out.push_back({{"name", f.name}, {"files", f.n_files}});
      send_json(res, out);
    });
  });
  server.Get("/api/train", [this](const httplib::Request&, httplib::Response& res) {
    answer(res, [&] { send_json(res, training.list()); });
  });
  server.Post("/api/train", [this](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] { send_json(res, training.start(body_json(req)), 201); });
  });
  const std::string run = R"(/api/train/([A-Za-z0-9_-]+))";
  server.Get(run, [this](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      std::size_t from = 0;
      if (req.has_param("from_row")) {
        const std::string text = req.get_param_value("from_row");
        if (text.empty() || text.size() > 9 ||
            text.find_first_not_of("0123456789") != std::string::npos)
          throw RequestError{400, "\"from_row\": takes a row number", ""};
        from = std::stoul(text);
      }
      send_json(res, training.status(req.matches[1].str(), from));
    });
  });
  server.Post(run + "/stop", [this](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] { send_json(res, training.stop(req.matches[1].str())); });
  });
  server.Post(run + "/resume", [this](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] { send_json(res, training.resume(req.matches[1].str())); });
  });
  server.Get(run + "/events", [this](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      const std::string id = req.matches[1].str();
      training.status(id);  // 404 before the stream starts
      res.set_header("Cache-Control", "no-cache");
      res.set_chunked_content_provider("text/event-stream",
                                       [this, id](std::size_t, httplib::DataSink& sink) {
                                         return stream_run(training, id, sink);
                                       });
    });
  });
  run_file_route(run);
}

void Studio::Impl::run_file_route(const std::string& run) {
  server.Get(run + R"(/files/([A-Za-z0-9_.-]+))", [this](const httplib::Request& req,
                                                         httplib::Response& res) {
    answer(res, [&] {
      const fs::path p = training.file(req.matches[1].str(), req.matches[2].str());
      const auto bytes = read_file_bytes(p);
      res.set_content(std::string(bytes.begin(), bytes.end()), "application/octet-stream");
      res.set_header("Content-Disposition",
                     "attachment; filename=\"" + p.filename().string() + "\"");
    });
  });
}

}  // namespace musegen::serve
