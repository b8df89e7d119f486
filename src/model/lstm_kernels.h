// The LSTM's per-step gate arithmetic as fused loops over raw float arrays (no tensors), with
// vectorised exp-based sigmoid and tanh. Compiled for AVX-512, AVX2 and baseline x86-64 and
// picked at load time, so one binary runs everywhere and fast where it can.
#pragma once

#include <cstdint>

namespace musegen::model {

// One step forward for `batch` rows. `gates` [batch, 4 * hidden] holds the pre-activations
// [i | f | g | o] and is overwritten with the activations (sigmoid, sigmoid, tanh, sigmoid);
// c_prev [batch, hidden] in; c_out and h_out [batch, hidden] out.
void lstm_step_forward(float* gates, const float* c_prev, float* c_out, float* h_out,
                       std::int64_t batch, std::int64_t hidden);

// One step backward. `act` are the step's gate activations, `c` its cell state, `c_prev` the
// previous one; `dy` the gradient reaching this step's output from above, `dh` the one from the
// next step (both read only); `dc` holds the next step's cell gradient on entry and this
// step's (with respect to c_prev) on return. Writes the pre-activation gradients to `dgates`.
void lstm_step_backward(const float* act, const float* c, const float* c_prev, const float* dy,
                        const float* dh, float* dc, float* dgates, std::int64_t batch,
                        std::int64_t hidden);

}  // namespace musegen::model
