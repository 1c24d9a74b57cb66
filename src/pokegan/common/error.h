// pokegan::Error: a failure caused by the user's input (a missing file, a corrupt image, an unknown
// type). Its message is one line that says what is wrong and, where it helps, what would be right;
// the CLI prints it as "error: <message>" and exits non-zero. Bugs are not Errors.
#pragma once
#include <stdexcept>
#include <string>

namespace pokegan {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace pokegan
