// LogQL parser budgets: deep nesting and huge queries fail cleanly.
#include <string>

#include <gtest/gtest.h>

#include "obsv/logql.h"

namespace obsv::logql {
namespace {

TEST(LimitsTest, Placeholder) { SUCCEED(); }

}  // namespace
}  // namespace obsv::logql
