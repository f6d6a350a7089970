// A program outside the project that uses the installed headers: TT-SVD of a rank-2 tensor.
#include <tensortrain/tensortrain.hpp>

#include <cmath>
#include <iostream>

int main() {
    using namespace tensortrain;
    const std::vector<Index> shape{4, 5, 6};
    std::vector<double> a(4 * 5 * 6);
    for (Index i = 0; i < 4; ++i)
        for (Index j = 0; j < 5; ++j)
            for (Index k = 0; k < 6; ++k) a[(i * 5 + j) * 6 + k] = 1.0 + i * j * k;  // rank 2
    auto res = tt_svd(a.data(), shape, SvdOptions{1e-12, 100});
    const auto r = res.tt.ranks();
    const Vec<double> full = to_full(res.tt);
    double err = 0;
    for (std::size_t e = 0; e < a.size(); ++e) err = std::max(err, std::abs(full[(Index)e] - a[e]));
    std::cout << "ranks " << r[1] << " " << r[2] << " max error " << err << "\n";
    return (r[1] == 2 && r[2] == 2 && err < 1e-10) ? 0 : 1;
}
