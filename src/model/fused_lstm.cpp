// The fused LSTM layer: forward stores the gate activations and cell states of every step;
// backward runs the recurrence backwards one product per step, then gets the input gradient
// and the weight gradients from three large products over all steps at once.
#include "model/fused_lstm.h"

#include "core/errors.h"
#include "model/lstm_kernels.h"

namespace musegen::model {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Gates of one row as pre-activations in, activations out: [i | f | g | o], each `hidden` wide.
struct LstmLayer : public torch::autograd::Function<LstmLayer> {
  // x [T, B, I], h0 and c0 [B, H]. Returns y [T, B, H], h_T, c_T.
  static variable_list forward(AutogradContext* ctx, Tensor x, Tensor h0, Tensor c0, Tensor w_ih,
                               Tensor w_hh, Tensor b_ih, Tensor b_hh) {
    const int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = w_hh.size(1);
    // Input projections of every step in one product, with both biases.
    Tensor gates = torch::addmm(b_ih + b_hh, x.reshape({T * B, I}), w_ih.t()).view({T, B, 4 * H});
    Tensor y = torch::empty({T, B, H}, x.options());
    Tensor cs = torch::empty({T, B, H}, x.options());
    Tensor w_hh_t = w_hh.t();
    for (int64_t t = 0; t < T; ++t) {
      Tensor g = gates[t];
      g.addmm_(t == 0 ? h0 : y[t - 1], w_hh_t);
      lstm_step_forward(g.data_ptr<float>(), (t == 0 ? c0 : cs[t - 1]).data_ptr<float>(),
                        cs[t].data_ptr<float>(), y[t].data_ptr<float>(), B, H);
    }
    ctx->save_for_backward({x, h0, c0, w_ih, w_hh, gates, cs, y});
    return {y, y[T - 1].clone(), cs[T - 1].clone()};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    auto saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &h0 = saved[1], &c0 = saved[2], &w_ih = saved[3], &w_hh = saved[4],
                 &gates = saved[5], &cs = saved[6], &y = saved[7];
    const int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = w_hh.size(1);
    Tensor dy = grad_out[0].defined() ? grad_out[0].contiguous() : torch::zeros_like(y);
    Tensor dh = grad_out[1].defined() ? grad_out[1].clone() : torch::zeros_like(h0);
    Tensor dc = grad_out[2].defined() ? grad_out[2].clone() : torch::zeros_like(c0);
    dh = dh.contiguous();
    dc = dc.contiguous();
    Tensor dgates = torch::empty_like(gates);
    for (int64_t t = T - 1; t >= 0; --t) {
      Tensor c_prev = t == 0 ? c0 : cs[t - 1];
      lstm_step_backward(gates[t].data_ptr<float>(), cs[t].data_ptr<float>(),
                         c_prev.data_ptr<float>(), dy[t].data_ptr<float>(), dh.data_ptr<float>(),
                         dc.data_ptr<float>(), dgates[t].data_ptr<float>(), B, H);
      torch::mm_out(dh, dgates[t], w_hh);  // dh for step t - 1
    }
    Tensor dg = dgates.view({T * B, 4 * H});
    Tensor dx;
    if (ctx->needs_input_grad(0)) dx = torch::mm(dg, w_ih).view({T, B, I});
    Tensor dw_ih = torch::mm(dg.t(), x.reshape({T * B, I}));
    Tensor dw_hh = torch::mm(dgates[0].t(), h0);
    if (T > 1)
      dw_hh.addmm_(dgates.narrow(0, 1, T - 1).reshape({(T - 1) * B, 4 * H}).t(),
                   y.narrow(0, 0, T - 1).reshape({(T - 1) * B, H}));
    Tensor db = dg.sum(0);
    return {dx, dh, dc, dw_ih, dw_hh, db, db.clone()};
  }
};

}  // namespace

std::pair<torch::Tensor, RecurrentState> fused_lstm_forward(torch::nn::LSTMImpl& lstm,
                                                            const torch::Tensor& x,
                                                            const RecurrentState& state,
                                                            double dropout, bool training) {
  if (x.scalar_type() != torch::kFloat32 || x.dim() != 3)
    throw ConfigError("input", "the fused LSTM takes float32 [batch, time, features]",
                      "float32 [batch, time, features]");
  const auto& options = lstm.options;
  const int64_t L = options.num_layers(), B = x.size(0), H = options.hidden_size();
  const auto weights = lstm.all_weights();  // per layer: w_ih, w_hh, b_ih, b_hh
  Tensor h0 = state.defined() ? state.h : torch::zeros({L, B, H}, x.options());
  Tensor c0 = state.defined() ? state.c : torch::zeros({L, B, H}, x.options());
  Tensor layer_input = x.transpose(0, 1).contiguous();  // time-major
  std::vector<Tensor> hs, cs;
  for (int64_t l = 0; l < L; ++l) {
    if (l > 0 && training && dropout > 0) layer_input = torch::dropout(layer_input, dropout, true);
    auto out = LstmLayer::apply(layer_input, h0[l].contiguous(), c0[l].contiguous(), weights[4 * l],
                                weights[4 * l + 1], weights[4 * l + 2], weights[4 * l + 3]);
    layer_input = out[0];
    hs.push_back(out[1]);
    cs.push_back(out[2]);
  }
  return {layer_input.transpose(0, 1), RecurrentState{torch::stack(hs), torch::stack(cs)}};
}

}  // namespace musegen::model
