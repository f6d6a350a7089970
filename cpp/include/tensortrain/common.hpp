// SPDX-License-Identifier: BSD-3-Clause
// Shared vocabulary of the engine: index type, scalar traits, the error hierarchy and the
// TT_REQUIRE macro that builds messages stating what was expected and what was received.
#pragma once

// The engine parallelizes at its own level (parallel.hpp) and hands large products to BLAS;
// Eigen's internal OpenMP GEMM threads would only compete with those.
#ifndef EIGEN_DONT_PARALLELIZE
#define EIGEN_DONT_PARALLELIZE
#endif
#include <Eigen/Dense>

#include <complex>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace tensortrain {

using Index = Eigen::Index;

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;  // column-major
template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using MatMap = Eigen::Map<Mat<T>>;
template <class T>
using ConstMatMap = Eigen::Map<const Mat<T>>;

template <class T>
struct is_complex : std::false_type {};
template <class R>
struct is_complex<std::complex<R>> : std::true_type {};
template <class T>
inline constexpr bool is_complex_v = is_complex<T>::value;

template <class T>
struct real_of {
    using type = T;
};
template <class R>
struct real_of<std::complex<R>> {
    using type = R;
};
template <class T>
using real_t = typename real_of<T>::type;

template <class T>
inline T conj_if(const T& x) {
    if constexpr (is_complex_v<T>) return std::conj(x);
    else return x;
}

// Failures that are not the caller's fault (numerical breakdown, LAPACK errors).
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};
class LinalgError : public Error {
  public:
    using Error::Error;
};
// A request for an object too large to build (to_full of a huge train, ...).
class SizeError : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

namespace detail {
inline void format_to(std::ostringstream&) {}
template <class A, class... Rest>
void format_to(std::ostringstream& os, const A& a, const Rest&... rest) {
    os << a;
    format_to(os, rest...);
}
template <class... Args>
std::string cat(const Args&... args) {
    std::ostringstream os;
    format_to(os, args...);
    return os.str();
}
template <class V>
std::string vec_str(const V& v) {
    std::ostringstream os;
    os << "(";
    for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
    if (v.size() == 1) os << ",";
    os << ")";
    return os.str();
}
}  // namespace detail

}  // namespace tensortrain

// Throws std::invalid_argument with the concatenated message when cond is false.
#define TT_REQUIRE(cond, ...)                                                               \
    do {                                                                                    \
        if (!(cond)) throw std::invalid_argument(::tensortrain::detail::cat(__VA_ARGS__)); \
    } while (0)
