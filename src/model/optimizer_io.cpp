// The optimiser's state (model_io.h) to and from OptimizerState: per parameter its step count
// and slot tensors, keyed in LibTorch's state map by the parameter's TensorImpl address, as
// LibTorch's own serialisation does (torch/optim/serialize.h).

#include "core/errors.h"
#include "model/model_io.h"

namespace musegen::model {

namespace {

namespace optim = torch::optim;

std::vector<torch::Tensor> all_parameters(const optim::Optimizer& optimizer) {
  std::vector<torch::Tensor> out;
  for (const auto& group : optimizer.param_groups())
    for (const auto& p : group.params()) out.push_back(p);
  return out;
}

std::string state_key(const torch::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());
}

std::string slot_name(std::size_t index, const char* slot) {
  return "param." + std::to_string(index) + "." + slot;
}

// Adds `t` under "param.I.SLOT" when defined.
void add_slot(OptimizerState& out, std::size_t index, const char* slot, const torch::Tensor& t) {
  if (t.defined()) out.tensors.tensors.push_back(to_block_tensor(slot_name(index, slot), t));
}

// Which of the four optimisers `optimizer` is: "adam", "adamw", "rmsprop", "sgd".
std::string kind_of(const optim::Optimizer& optimizer) {
  if (dynamic_cast<const optim::Adam*>(&optimizer)) return "adam";
  if (dynamic_cast<const optim::AdamW*>(&optimizer)) return "adamw";
  if (dynamic_cast<const optim::RMSprop*>(&optimizer)) return "rmsprop";
  if (dynamic_cast<const optim::SGD*>(&optimizer)) return "sgd";
  throw ConfigError("optimizer", "no saved form for this optimiser", "adam, adamw, rmsprop, sgd");
}

// Reads the slots of parameter `index` from `state`, checking their shape against `p`.
class SlotReader {
 public:
  SlotReader(const OptimizerState& state, const std::string& name) : state_(state), name_(name) {}
  torch::Tensor get(std::size_t index, const char* slot, const torch::Tensor& p,
                    bool required) const {
    const Tensor* t = state_.tensors.find(slot_name(index, slot));
    if (t == nullptr) {
      if (required) throw ParseError(name_, 0, "optimiser state lacks " + slot_name(index, slot));
      return {};
    }
    if (t->shape != p.sizes().vec())
      throw ParseError(name_, 0,
                       "optimiser state " + t->name + " has shape " + shape_text(t->shape) +
                           ", its parameter " + shape_text(p.sizes().vec()));
    return from_block_tensor(*t);
  }

 private:
  const OptimizerState& state_;
  const std::string& name_;
};

}  // namespace

OptimizerState save_optimizer(const optim::Optimizer& optimizer) {
  const std::string kind = kind_of(optimizer);
  const auto params = all_parameters(optimizer);
  const auto& states = optimizer.state();
  OptimizerState out;
  for (std::size_t i = 0; i < params.size(); ++i) {
    auto it = states.find(state_key(params[i]));
    const optim::OptimizerParamState* s = it == states.end() ? nullptr : it->second.get();
    if (kind == "adam" || kind == "adamw") {
      // AdamParamState and AdamWParamState hold the same fields.
      if (const auto* a = dynamic_cast<const optim::AdamParamState*>(s)) {
        out.steps.push_back(a->step());
        add_slot(out, i, "exp_avg", a->exp_avg());
        add_slot(out, i, "exp_avg_sq", a->exp_avg_sq());
      } else if (const auto* w = dynamic_cast<const optim::AdamWParamState*>(s)) {
        out.steps.push_back(w->step());
        add_slot(out, i, "exp_avg", w->exp_avg());
        add_slot(out, i, "exp_avg_sq", w->exp_avg_sq());
      } else {
        out.steps.push_back(-1);
      }
    } else if (kind == "rmsprop") {
      const auto* r = dynamic_cast<const optim::RMSpropParamState*>(s);
      out.steps.push_back(r ? r->step() : -1);
      if (r) add_slot(out, i, "square_avg", r->square_avg());
      if (r) add_slot(out, i, "momentum_buffer", r->momentum_buffer());
    } else if (const auto* g = dynamic_cast<const optim::SGDParamState*>(s)) {
      add_slot(out, i, "momentum_buffer", g->momentum_buffer());
    }
  }
  return out;
}

namespace {

std::unique_ptr<optim::OptimizerParamState> restored_state(const std::string& kind,
                                                           const SlotReader& slots, std::size_t i,
                                                           std::int64_t step,
                                                           const torch::Tensor& p) {
  if (kind == "adam") {
    auto s = std::make_unique<optim::AdamParamState>();
    s->step(step)
        .exp_avg(slots.get(i, "exp_avg", p, true))
        .exp_avg_sq(slots.get(i, "exp_avg_sq", p, true));
    return s;
  }
  if (kind == "adamw") {
    auto s = std::make_unique<optim::AdamWParamState>();
    s->step(step)
        .exp_avg(slots.get(i, "exp_avg", p, true))
        .exp_avg_sq(slots.get(i, "exp_avg_sq", p, true));
    return s;
  }
  if (kind == "rmsprop") {
    auto s = std::make_unique<optim::RMSpropParamState>();
    s->step(step).square_avg(slots.get(i, "square_avg", p, true));
    s->momentum_buffer(slots.get(i, "momentum_buffer", p, false));
    return s;
  }
  torch::Tensor momentum = slots.get(i, "momentum_buffer", p, false);
  if (!momentum.defined()) return nullptr;
  auto s = std::make_unique<optim::SGDParamState>();
  s->momentum_buffer(momentum);
  return s;
}

}  // namespace

void load_optimizer(optim::Optimizer& optimizer, const std::optional<OptimizerState>& state,
                    const std::string& name) {
  if (!state) return;
  const std::string kind = kind_of(optimizer);
  const auto params = all_parameters(optimizer);
  const bool counts_steps = kind != "sgd";
  if (counts_steps && state->steps.size() != params.size())
    throw ParseError(name, 0,
                     "optimiser state for " + std::to_string(state->steps.size()) +
                         " parameters, this model has " + std::to_string(params.size()));
  const SlotReader slots(*state, name);
  torch::NoGradGuard no_grad;
  optimizer.state().clear();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::int64_t step = counts_steps ? state->steps[i] : 0;
    if (counts_steps && step < 0) continue;  // no state yet
    auto s = restored_state(kind, slots, i, step, params[i]);
    if (s) optimizer.state()[state_key(params[i])] = std::move(s);
  }
}

}  // namespace musegen::model
