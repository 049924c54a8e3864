// Request ids: well-formed client ids are echoed, anything else is replaced.
#include "liftoff/server/http/request_id.h"

#include <gtest/gtest.h>

namespace liftoff::server::http {
namespace {

TEST(RequestId, EchoesWellFormedIds) {
  for (const std::string id : {std::string("abc"), std::string("req-42"),
                               std::string("trace:0af7651916cd43dd8448eb211c80319c"),
                               std::string("a.b_c/d+e=f@g"), std::string(128, 'x')}) {
    EXPECT_TRUE(is_well_formed_request_id(id)) << id;
    EXPECT_EQ(request_id_for(id), id);
  }
}

TEST(RequestId, ReplacesMalformedIds) {
  for (const std::string id :
       {std::string(), std::string(129, 'x'), std::string("has space"), std::string("quote\""),
        std::string("new\nline"), std::string("caf\xc3\xa9"), std::string("semi;colon")}) {
    EXPECT_FALSE(is_well_formed_request_id(id)) << id;
    const std::string fresh = request_id_for(id);
    EXPECT_EQ(fresh.size(), 32u);
    EXPECT_TRUE(is_well_formed_request_id(fresh));
  }
}

TEST(RequestId, FreshIdsDiffer) {
  EXPECT_NE(request_id_for(""), request_id_for(""));
  const std::string a = random_alnum(24);
  EXPECT_EQ(a.size(), 24u);
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << a;
  EXPECT_NE(a, random_alnum(24));
}

}  // namespace
}  // namespace liftoff::server::http
