// Numbers as short text for files people read (SVG coordinates, MusicXML tempi): fixed point
// without trailing zeros.
#pragma once

#include <string>

namespace musegen {

// `value` with at most `decimals` decimals and no trailing zeros: 2.5, 120, 0.333 ("-0" for a
// small negative number rounded to zero).
std::string short_decimal(double value, int decimals);

}  // namespace musegen
