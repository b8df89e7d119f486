// The studio's server (serve/studio.h): set-up, the page, uploads, generated files and the
// model list. Generation and training routes: studio_generate.cpp, studio_train.cpp.
#include "serve/studio.h"

#include <csignal>
#include <iostream>
#include <thread>

#include "compose/builtin_models.h"
#include "compose/fill.h"
#include "compose/request.h"
#include "core/errors.h"
#include "core/file_io.h"
#include "serve/assets.h"
#include "serve/safe_path.h"
#include "serve/studio_impl.h"

namespace musegen::serve {

namespace fs = std::filesystem;
using nlohmann::json;

void send_json(httplib::Response& res, const json& j, int status) {
  res.status = status;
  res.set_content(j.dump(), "application/json");
}

void answer(httplib::Response& res, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const RequestError& e) {
    send_json(res, {{"error", e.message}, {"hint", e.hint}}, e.status);
  } catch (const compose::UsageError& e) {
    send_json(res, {{"error", e.message}, {"hint", e.hint}}, 400);
  } catch (const ConfigError& e) {
    send_json(res, {{"error", e.what()}, {"hint", ""}}, 400);
  } catch (const ParseError& e) {
    send_json(res, {{"error", e.what()}, {"hint", ""}}, 400);
  } catch (const std::exception& e) {
    send_json(res, {{"error", e.what()}, {"hint", ""}}, 500);
  }
}

json body_json(const httplib::Request& req) {
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded()) throw RequestError{400, "the request body is not valid JSON", ""};
  return j;
}

namespace {

bool is_model_file(const fs::path& p) {
  return p.extension() == ".pt";
}

// A file name a client sent, kept to its last component and printable characters.
std::string clean_name(const std::string& name) {
  std::string base = fs::path(name).filename().string(), out;
  for (char c : base)
    if (static_cast<unsigned char>(c) >= 32 && c != 127) out += c;
  if (out.size() > 100) out.resize(100);
  return out.empty() ? "upload" : out;
}

}  // namespace

Studio::Impl::Impl(StudioOptions o)
    : options(std::move(o)),
      jobs_folder(options.out / "jobs"),
      uploads(options.out / "uploads", options.max_upload_bytes, 64),
      training(options.out / "runs", options.data, options.program),
      queue(options.jobs, options.queue) {
  fs::create_directories(jobs_folder);
  for (const auto& [what, dir] : {std::pair{"models", options.models}, {"data", options.data}})
    if (!dir.empty() && !fs::is_directory(dir))
      throw ConfigError(what, "'" + dir.string() + "' is not a folder", "an existing folder");
}

std::string Studio::Impl::model_spec(const std::string& name) {
  if (name.empty() || compose::find_builtin_model(name)) return name;
  if (name.rfind("models/", 0) == 0 && !options.models.empty()) {
    const fs::path p = resolve_inside(options.models, name.substr(7), "model");
    if (is_model_file(p) && fs::is_regular_file(p)) return p.string();
  }
  if (name.rfind("runs/", 0) == 0) {
    const fs::path p = resolve_inside(training.folder(), name.substr(5) + "/model.pt", "model");
    if (fs::is_regular_file(p)) return p.string();
  }
  throw RequestError{400, "\"model\": no model '" + name + "'", "GET /api/models lists them"};
}

// What the page needs to know of a model: its tokenizer and whether it can fill and takes
// instruments. Loading a model costs a little: cached by file time.
json Studio::Impl::models() {
  json out = json::array();
  const auto describe = [&](const std::string& id, const std::string& label, json extra) {
    const std::string spec = model_spec(id);
    const auto stamp = fs::exists(spec) ? fs::last_write_time(spec) : fs::file_time_type{};
    std::lock_guard lock(mutex);
    auto& cached = model_info[id];
    if (cached.second.is_null() || cached.first != stamp) {
      std::string name;
      generate::Generator g(compose::load_model(spec, name), name, {"auto", "auto", 1});
      cached = {stamp,
                {{"tokenizer", g.tokenizer().name()},
                 {"multitrack", g.tokenizer().continuation_needs_context()},
                 {"can_fill", compose::can_fill(g)}}};
    }
    json j = cached.second;
    j["id"] = id;
    j["label"] = label;
    j.update(extra);
    out.push_back(j);
  };
  for (const auto& m : compose::builtin_models())
    if (!m.bytes.empty())
      describe(m.name, m.name + " (built in)",
               {{"kind", "built-in"}, {"summary", m.summary}, {"quality", m.quality}});
  if (!options.models.empty())
    for (const auto& rel : list_files(options.models, is_model_file, 200)) {
      try {
        describe("models/" + rel, rel, {{"kind", "file"}});
      } catch (const std::exception& e) {
        out.push_back(
            {{"id", "models/" + rel}, {"label", rel}, {"kind", "file"}, {"error", e.what()}});
      }
    }
  for (const auto& run : training.list())
    if (run["has_model"].get<bool>()) {
      const std::string id = run["id"];
      try {
        describe("runs/" + id, "training " + id, {{"kind", "run"}});
      } catch (const std::exception&) {
      }  // a run writing its first checkpoint: listed next time
    }
  return out;
}

void Studio::Impl::keep_job_folder(const fs::path& folder) {
  std::lock_guard lock(mutex);
  job_folders.push_back(folder);
  while (job_folders.size() > options.keep_jobs) {
    std::error_code ec;
    fs::remove_all(job_folders.front(), ec);
    job_folders.pop_front();
  }
}

void Studio::Impl::page_routes() {
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/static/index.html");
  });
  server.Get(R"(/static/([A-Za-z0-9_.-]+))",
             [](const httplib::Request& req, httplib::Response& res) {
               for (const Asset& a : assets())
                 if (a.name == req.matches[1].str()) {
                   res.set_content(std::string(a.bytes), content_type(a.name));
                   res.set_header("Cache-Control", "no-cache");
                   return;
                 }
               send_json(res, {{"error", "no such page file"}}, 404);
             });
  // Errors httplib answers itself (413 payload too large, 404 no route) get a JSON body too.
  server.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string what =
        res.status == 413
            ? "the upload is over the " + std::to_string(options.max_upload_bytes) + "-byte limit"
        : res.status == 404 ? "no such page or API route"
        : res.status == 400 ? "malformed HTTP request (a POST needs a body, even {})"
                            : "HTTP " + std::to_string(res.status);
    send_json(res, {{"error", what}, {"hint", ""}}, res.status);
  });
}

void Studio::Impl::routes() {
  page_routes();
  server.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
    const auto c = queue.counts();
    send_json(res, {{"ok", true},
                    {"jobs",
                     {{"running", c.running},
                      {"waiting", c.waiting},
                      {"workers", c.workers},
                      {"max_waiting", c.max_waiting},
                      {"done", c.done},
                      {"failed", c.failed},
                      {"cancelled", c.cancelled},
                      {"refused", c.refused}}},
                    {"limits",
                     {{"count", options.limits.max_count},
                      {"length", options.limits.max_length},
                      {"seconds", options.limits.max_seconds},
                      {"bars", options.limits.max_bars},
                      {"upload_bytes", options.max_upload_bytes}}},
                    {"training", !options.data.empty()}});
  });
  server.Get("/api/models", [this](const httplib::Request&, httplib::Response& res) {
    answer(res, [&] { send_json(res, models()); });
  });
  server.Post("/api/uploads", [this](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      const std::string name = clean_name(req.has_param("name") ? req.get_param_value("name") : "");
      send_json(res, uploads.add(req.body, name), 201);
    });
  });
  server.Get(R"(/api/files/([A-Za-z0-9_-]+)/([A-Za-z0-9_.-]+))", [this](const httplib::Request& req,
                                                                        httplib::Response& res) {
    answer(res, [&] {
      const fs::path p =
          resolve_inside(jobs_folder, req.matches[1].str() + "/" + req.matches[2].str(), "file");
      if (!fs::is_regular_file(p)) throw RequestError{404, "no such file", ""};
      const auto bytes = read_file_bytes(p);
      res.set_content(std::string(bytes.begin(), bytes.end()), content_type(p.filename().string()));
      if (req.has_param("download"))
        res.set_header("Content-Disposition",
                       "attachment; filename=\"" + p.filename().string() + "\"");
    });
  });
  generate_routes();
  train_routes();
}

Studio::Studio(StudioOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->server.set_payload_max_length(impl_->options.max_upload_bytes + 4096);
  // Handler threads: every waiting or running generation holds one while it streams.
  const std::size_t threads =
      static_cast<std::size_t>(impl_->options.queue + impl_->options.jobs) + 16;
  impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->server.set_keep_alive_timeout(5);
  impl_->routes();
}

Studio::~Studio() = default;

int Studio::bind() {
  std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-answer is a failed write, not a signal
  const auto& o = impl_->options;
  const int port = o.port == 0 ? impl_->server.bind_to_any_port(o.host)
                               : (impl_->server.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0)
    throw IoError(o.host + ":" + std::to_string(o.port),
                  "cannot listen there (in use, or not an address of this machine)");
  return port;
}

// httplib's stop() does nothing before listening has started, so a stop that comes first (a
// signal at start-up, a test that stops at once) is remembered and honoured here.
void Studio::serve() {
  impl_->serving = true;
  if (impl_->stop_requested) return;
  impl_->server.listen_after_bind();
  impl_->serving = false;
}

void Studio::stop() {
  impl_->stop_requested = true;
  while (impl_->serving && !impl_->server.is_running()) std::this_thread::yield();
  impl_->server.stop();
}

}  // namespace musegen::serve
