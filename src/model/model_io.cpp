// Module and optimiser state as bytes, models from checkpoints, and the thread and BLAS set-up.
#include "model/model_io.h"

#include <dlfcn.h>
#include <link.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "core/errors.h"

namespace musegen::model {

namespace {

std::string shape_text(at::IntArrayRef sizes) {
  std::string s = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

// The first line of a LibTorch error, without its C++ stack trace.
std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

std::map<std::string, std::vector<int64_t>> tensor_shapes(const torch::nn::Module& module) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& p : module.named_parameters()) shapes[p.key()] = p.value().sizes().vec();
  for (const auto& b : module.named_buffers()) shapes[b.key()] = b.value().sizes().vec();
  return shapes;
}

}  // namespace

std::string save_module(const torch::nn::Module& module) {
  torch::serialize::OutputArchive archive;
  module.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void load_module(torch::nn::Module& module, const std::string& bytes, const std::string& name) {
  const auto expected = tensor_shapes(module);
  try {
    torch::serialize::InputArchive archive;
    std::istringstream in(bytes);
    archive.load_from(in);
    module.load(archive);
  } catch (const c10::Error& e) {
    throw ParseError(name, 0, "weights do not fit this model: " + first_line(e.what()));
  }
  // InputArchive replaces a tensor whatever its shape, so the shapes are checked afterwards.
  const auto loaded = tensor_shapes(module);
  for (const auto& [key, shape] : expected) {
    auto it = loaded.find(key);
    if (it == loaded.end() || it->second != shape)
      throw ParseError(name, 0,
                       "weights do not fit this model: " + key + " has shape " +
                           (it == loaded.end() ? "none" : shape_text(it->second)) +
                           ", the configuration needs " + shape_text(shape));
  }
}

std::string save_optimizer(const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void load_optimizer(torch::optim::Optimizer& optimizer, const std::string& bytes,
                    const std::string& name) {
  if (bytes.empty()) return;
  try {
    torch::serialize::InputArchive archive;
    std::istringstream in(bytes);
    archive.load_from(in);
    optimizer.load(archive);
  } catch (const c10::Error& e) {
    throw ParseError(name, 0, "optimiser state does not fit: " + first_line(e.what()));
  }
}

SequenceModel model_from_checkpoint(const Checkpoint& checkpoint, const std::string& name) {
  SequenceModel model(checkpoint.preset.model);
  load_module(*model, checkpoint.weights, name);
  model->eval();
  return model;
}

namespace {

int find_blas_library(struct dl_phdr_info* info, size_t, void* data) {
  auto* found = static_cast<std::string*>(data);
  std::string path = info->dlpi_name ? info->dlpi_name : "";
  std::string file = std::filesystem::path(path).filename().string();
  bool blas = file.rfind("libopenblas", 0) == 0 || file.rfind("libblas", 0) == 0;
  if (!blas) return 0;
  std::error_code ec;
  auto resolved = std::filesystem::canonical(path, ec);
  std::string real = ec ? path : resolved.string();
  // Prefer OpenBLAS when both a libblas and a libopenblas are loaded.
  if (found->empty() || real.find("openblas") != std::string::npos) *found = real;
  return 0;
}

template <class F>
F openblas_symbol(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_DEFAULT, name));
}

}  // namespace

BlasInfo blas_info() {
  BlasInfo info;
  dl_iterate_phdr(find_blas_library, &info.library);
  auto corename = openblas_symbol<char* (*)()>("openblas_get_corename");
  auto get_threads = openblas_symbol<int (*)()>("openblas_get_num_threads");
  info.openblas = corename != nullptr || info.library.find("openblas") != std::string::npos;
  if (corename) info.core = corename();
  if (get_threads) info.threads = get_threads();
  return info;
}

ThreadSettings set_threads(int n_threads, int torch_threads) {
  if (n_threads < 0)
    throw ConfigError("threads", "must not be negative", "0 (every core) or a count");
  if (torch_threads < 0)
    throw ConfigError("torch_threads", "must not be negative", "0 (automatic) or a count");
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int n = n_threads == 0 ? cores : n_threads;
  ThreadSettings settings;
  auto set_blas = openblas_symbol<void (*)(int)>("openblas_set_num_threads");
  if (set_blas) set_blas(n);
  settings.blas = blas_info();
  settings.blas_threads = settings.blas.threads > 0 ? settings.blas.threads : n;
  if (torch_threads == 0)
    torch_threads = settings.blas.openblas && settings.blas_threads > 1 ? 1 : n;
  torch::set_num_threads(torch_threads);
  settings.torch_threads = torch::get_num_threads();
  return settings;
}

}  // namespace musegen::model
