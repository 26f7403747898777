// ringsim/layouts/all.hpp: every ring layout, for code that instantiates them all
// (the engine's dispatch, the tests).
#pragma once

#include "ringsim/layouts/index_ring.hpp"
#include "ringsim/layouts/packed.hpp"
#include "ringsim/layouts/split.hpp"
#include "ringsim/layouts/split_inorder.hpp"
#include "ringsim/layouts/packed_inorder.hpp"
