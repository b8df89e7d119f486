// Module state to and from tensor blocks, models from checkpoints, and the thread and BLAS
// set-up. The optimiser's state is in optimizer_io.cpp.
#include "model/model_io.h"

#include <dlfcn.h>
#include <link.h>

#include <filesystem>
#include <map>
#include <thread>

#include "core/errors.h"

namespace musegen::model {

namespace {

std::vector<std::int64_t> shape_of(const torch::Tensor& t) {
  return t.sizes().vec();
}

}  // namespace

Tensor to_block_tensor(const std::string& name, const torch::Tensor& t) {
  const torch::Tensor values = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  Tensor out;
  out.name = name;
  out.shape = shape_of(values);
  const float* data = values.data_ptr<float>();
  out.values.assign(data, data + values.numel());
  return out;
}

torch::Tensor from_block_tensor(const Tensor& t) {
  return torch::from_blob(const_cast<float*>(t.values.data()), t.shape, torch::kFloat32).clone();
}

TensorBlock save_module(const torch::nn::Module& module) {
  TensorBlock block;
  for (const auto& p : module.named_parameters())
    block.tensors.push_back(to_block_tensor(p.key(), p.value()));
  for (const auto& b : module.named_buffers())
    block.tensors.push_back(to_block_tensor(b.key(), b.value()));
  return block;
}

void load_module(torch::nn::Module& module, const TensorBlock& block, const std::string& name) {
  torch::NoGradGuard no_grad;
  std::size_t n_module = 0;
  auto copy = [&](const std::string& key, torch::Tensor& target) {
    ++n_module;
    const Tensor* t = block.find(key);
    if (t == nullptr)
      throw ParseError(name, 0, "weights do not fit this model: " + key + " is missing");
    if (t->shape != shape_of(target))
      throw ParseError(name, 0,
                       "weights do not fit this model: " + key + " has shape " +
                           shape_text(t->shape) + ", the configuration needs " +
                           shape_text(shape_of(target)));
    target.copy_(from_block_tensor(*t));
  };
  for (auto& p : module.named_parameters()) copy(p.key(), p.value());
  for (auto& b : module.named_buffers()) copy(b.key(), b.value());
  if (n_module != block.tensors.size())
    throw ParseError(name, 0,
                     "weights do not fit this model: the file holds " +
                         std::to_string(block.tensors.size()) + " tensors, the model " +
                         std::to_string(n_module));
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
