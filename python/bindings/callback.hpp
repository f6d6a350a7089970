// SPDX-License-Identifier: BSD-3-Clause
// A Python progress callback as the engine's std::function<bool(const Progress&)>: the engine
// calls it with the GIL released, so it takes the GIL, fills a dict and returns the truth value
// of the Python result. None gives an empty function (no callback).
#pragma once

#include "common.hpp"

#include <functional>

namespace ttpy {

template <class Progress, class Fill>
std::function<bool(const Progress&)> progress_callback(const py::object& callback, Fill fill) {
    if (callback.is_none()) return {};
    py::function cb = callback;
    return [cb, fill](const Progress& p) {
        py::gil_scoped_acquire gil;
        py::dict info;
        fill(info, p);
        return py::bool_(cb(info));
    };
}

}  // namespace ttpy
