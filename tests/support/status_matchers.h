// gtest helpers for Status/Result: ASSERT_OK, EXPECT_OK, ASSERT_OK_AND_ASSIGN.
#pragma once

#include <gtest/gtest.h>

#include "tidemark/storage/model/status.h"

#define ASSERT_OK(expr)                                  \
  do {                                                   \
    const ::tidemark::Status tm_s_ = (expr);             \
    ASSERT_TRUE(tm_s_.ok()) << tm_s_.ToString();         \
  } while (0)

#define EXPECT_OK(expr)                                  \
  do {                                                   \
    const ::tidemark::Status tm_s_ = (expr);             \
    EXPECT_TRUE(tm_s_.ok()) << tm_s_.ToString();         \
  } while (0)

#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)       \
  auto tmp = (expr);                                     \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();      \
  lhs = std::move(tmp).value()

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(TM_CONCAT_(tm_assign_, __LINE__), lhs, expr)
