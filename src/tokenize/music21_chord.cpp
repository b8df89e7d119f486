// music21 5.x normalOrder: prime form P (Forte packing of the set and of its inversion),
// inverted form J, then the first transposition of P, else of J, that equals the set.
#include "tokenize/music21_chord.h"

#include <array>

namespace musegen::tokenize {

namespace {

using Form = std::vector<int>;

int mod12(int x) {
  return ((x % 12) + 12) % 12;
}

Form sorted_set(unsigned mask) {
  Form pcs;
  for (int p = 0; p < 12; ++p)
    if (mask & (1u << p)) pcs.push_back(p);
  return pcs;
}

// [span, a1 - a0, a2 - a0, ..., a(k-1) - a0], all mod 12: Forte's "packed to the left".
Form packing_key(const Form& order) {
  Form key;
  int first = order.front();
  key.push_back(mod12(order.back() - first));
  for (std::size_t i = 1; i + 1 < order.size(); ++i) key.push_back(mod12(order[i] - first));
  return key;
}

// The rotation of a sorted set with the smallest packing key; ties keep the earliest
// rotation, the one starting on the lowest pitch class.
Form normal_rotation(const Form& sorted) {
  Form best = sorted;
  Form best_key = packing_key(best);
  for (std::size_t r = 1; r < sorted.size(); ++r) {
    Form rotation(sorted.begin() + static_cast<std::ptrdiff_t>(r), sorted.end());
    rotation.insert(rotation.end(), sorted.begin(),
                    sorted.begin() + static_cast<std::ptrdiff_t>(r));
    Form key = packing_key(rotation);
    if (key < best_key) {
      best = std::move(rotation);
      best_key = std::move(key);
    }
  }
  return best;
}

Form transposed_to_zero(const Form& order) {
  Form out;
  for (int p : order) out.push_back(mod12(p - order.front()));
  return out;
}

Form prime_form(unsigned mask) {
  Form direct = transposed_to_zero(normal_rotation(sorted_set(mask)));
  unsigned inverted_mask = 0;
  for (int p : sorted_set(mask)) inverted_mask |= 1u << mod12(-p);
  Form inverted = transposed_to_zero(normal_rotation(sorted_set(inverted_mask)));
  return packing_key(inverted) < packing_key(direct) ? inverted : direct;
}

// (0, p(n-1) - p(n-2), p(n-1) - p(n-3), ..., p(n-1) - p0): the inversion of P read backwards.
Form inverted_form(const Form& prime) {
  Form out{0};
  int last = prime.back();
  for (std::size_t i = prime.size() - 1; i-- > 0;) out.push_back(last - prime[i]);
  return out;
}

Form compute_normal_order(unsigned mask) {
  Form prime = prime_form(mask);
  for (const Form& form : {prime, inverted_form(prime)}) {
    for (int t : sorted_set(mask)) {
      unsigned image = 0;
      for (int x : form) image |= 1u << mod12(x + t);
      if (image != mask) continue;
      Form out;
      for (int x : form) out.push_back(mod12(x + t));
      return out;
    }
  }
  return normal_rotation(sorted_set(mask));  // unreachable: J always maps onto the set
}

struct Tables {
  std::array<Form, 4096> orders;
  std::array<std::string, 4096> tokens;
  Tables() {
    for (unsigned mask = 1; mask < 4096; ++mask) {
      orders[mask] = compute_normal_order(mask);
      std::string token;
      for (int p : orders[mask]) {
        if (!token.empty()) token += '.';
        token += std::to_string(p);
      }
      tokens[mask] = std::move(token);
    }
  }
};

const Tables& tables() {
  static const Tables instance;
  return instance;
}

}  // namespace

const std::vector<int>& music21_normal_order(unsigned pc_mask) {
  return tables().orders[pc_mask < 4096 ? pc_mask : 0];
}

const std::string& music21_chord_token(unsigned pc_mask) {
  return tables().tokens[pc_mask < 4096 ? pc_mask : 0];
}

std::vector<int> forte_normal_order(unsigned pc_mask) {
  if (pc_mask == 0 || pc_mask >= 4096) return {};
  return normal_rotation(sorted_set(pc_mask));
}

}  // namespace musegen::tokenize
