// SPDX-License-Identifier: BSD-3-Clause
// Umbrella header: the public engine.
#pragma once

#include "amen.hpp"
#include "arithmetic.hpp"
#include "blas.hpp"
#include "common.hpp"
#include "cross.hpp"
#include "dmrg.hpp"
#include "evaluate.hpp"
#include "householder.hpp"
#include "linalg.hpp"
#include "maxvol.hpp"
#include "memory.hpp"
#include "mpo.hpp"
#include "orthogonalize.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "round.hpp"
#include "tensor_train.hpp"
#include "tt_matrix.hpp"
#include "tt_svd.hpp"
#include "version.hpp"
