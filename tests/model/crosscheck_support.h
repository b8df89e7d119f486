// What the PyTorch cross-checks share: a model's parameters and input ids written as raw
// little-endian files with a JSON manifest for a reference script, the script run by
// /usr/bin/python3, and its float32 outputs read back.
#pragma once

#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace musegen::testing {

inline const char* const kPython = "/usr/bin/python3";

// True when /usr/bin/python3 can import torch.
inline bool python_torch_available() {
  return std::filesystem::exists(kPython) &&
         std::system((std::string(kPython) + " -c 'import torch' 2>/dev/null").c_str()) == 0;
}

inline void write_raw(const std::filesystem::path& path, const torch::Tensor& t) {
  auto c = t.contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.nbytes()));
}

// Float32 [shape] from a raw file; an empty tensor of that shape when the file is short.
inline torch::Tensor read_floats(const std::filesystem::path& path, std::vector<int64_t> shape) {
  auto t = torch::empty(shape, torch::kFloat32);
  std::ifstream in(path, std::ios::binary);
  in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
  if (in.gcount() != static_cast<std::streamsize>(t.nbytes()))
    return torch::full(shape, std::numeric_limits<float>::quiet_NaN());
  return t;
}

// dir/manifest.json: {"config", "params": {name: {file, shape}}, "ids": {file, shape}}, with
// every parameter of `module` and `ids` beside it.
inline void export_for_reference(const std::filesystem::path& dir, const torch::nn::Module& module,
                                 const nlohmann::json& config, const torch::Tensor& ids) {
  std::filesystem::create_directories(dir);
  nlohmann::json params = nlohmann::json::object();
  int index = 0;
  for (const auto& p : module.named_parameters()) {
    std::string file = "p" + std::to_string(index++) + ".f32";
    write_raw(dir / file, p.value().detach());
    params[p.key()] = {{"file", file}, {"shape", p.value().sizes().vec()}};
  }
  write_raw(dir / "ids.i64", ids);
  nlohmann::json manifest = {{"config", config},
                             {"params", params},
                             {"ids", {{"file", "ids.i64"}, {"shape", ids.sizes().vec()}}}};
  std::ofstream(dir / "manifest.json") << manifest.dump();
}

// Runs `script` over the case folders; returns its exit status and puts stdout+stderr in
// `output`.
inline int run_reference(const std::filesystem::path& script,
                         const std::vector<std::filesystem::path>& dirs, std::string& output) {
  // append(), not " " + path: GCC 12 warns falsely (-Wrestrict) about operator+ here.
  std::string command = kPython;
  command.append(" ").append(script.string());
  for (const auto& d : dirs) command.append(" ").append(d.string());
  command += " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[1024];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  return ::pclose(pipe);
}

}  // namespace musegen::testing
