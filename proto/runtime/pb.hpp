// proto/runtime/pb.hpp — what every generated .pb.hpp includes.
#pragma once

#include "proto/runtime/pb_box.hpp"
#include "proto/runtime/pb_limits.hpp"
#include "proto/runtime/pb_registry.hpp"
#include "proto/runtime/pb_wire.hpp"
