// Alertmanager targets through alertmanagers[].relabel_configs: the __address__, __scheme__ and
// __alerts_path__ labels Prometheus' notifier gives a static target, and the push URL after.
#include <gtest/gtest.h>

#include "support/status_matchers.h"
#include "tidemark/alerting/notify.h"

namespace tidemark::alerting {
namespace {

relabel::Relabeler Rules(std::vector<relabel::Config> rules) {
  auto r = relabel::Relabeler::Compile(std::move(rules));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : relabel::Relabeler();
}

TEST(AlertmanagerDiscoveryTest, WithoutRulesJoinsPrefixLikeGoPathJoin) {
  struct Case {
    const char* prefix;
    const char* want;
  };
  for (const auto& c : std::vector<Case>{{"", "http://am:9093/api/v2/alerts"},
                                         {"/", "http://am:9093/api/v2/alerts"},
                                         {"am", "http://am:9093/am/api/v2/alerts"},
                                         {"/a//b/", "http://am:9093/a/b/api/v2/alerts"},
                                         {"/a/../b/./", "http://am:9093/b/api/v2/alerts"}}) {
    auto url = RelabelAlertmanagerTarget({"am:9093", "http", c.prefix, Labels()}, relabel::Relabeler());
    ASSERT_OK(url.status());
    ASSERT_TRUE(url->has_value());
    EXPECT_EQ(**url, c.want) << c.prefix;
  }
}

TEST(AlertmanagerDiscoveryTest, RulesSeeTargetLabelsAndRewriteTheUrl) {
  // Group labels reach the rules; the rules pick address, scheme and path.
  relabel::Config addr;
  addr.source_labels = {"__address__", "port"};
  addr.regex = "([^:]+):\\d+;(\\d+)";
  addr.target_label = "__address__";
  addr.replacement = "$1:$2";
  relabel::Config scheme;
  scheme.target_label = "__scheme__";
  scheme.replacement = "https";
  relabel::Config path;
  path.source_labels = {"__alerts_path__"};
  path.target_label = "__alerts_path__";
  path.replacement = "/tenant-a$1";
  auto url = RelabelAlertmanagerTarget({"am:9093", "http", "/p", Labels({{"port", "9443"}})},
                                       Rules({addr, scheme, path}));
  ASSERT_OK(url.status());
  ASSERT_TRUE(url->has_value());
  EXPECT_EQ(**url, "https://am:9443/tenant-a/p/api/v2/alerts");
}

TEST(AlertmanagerDiscoveryTest, GroupLabelsOverrideSchemeButNotAddress) {
  auto url = RelabelAlertmanagerTarget(
      {"am:9093", "http", "", Labels({{"__scheme__", "https"}, {"__address__", "other:1"}})},
      relabel::Relabeler());
  ASSERT_OK(url.status());
  ASSERT_TRUE(url->has_value());
  EXPECT_EQ(**url, "https://am:9093/api/v2/alerts");
}

TEST(AlertmanagerDiscoveryTest, DroppedTargetsAndBadAddresses) {
  relabel::Config drop;
  drop.action = relabel::Action::kDrop;
  drop.source_labels = {"__address__"};
  drop.regex = "old-.*";
  auto dropped = RelabelAlertmanagerTarget({"old-am:9093", "http", "", Labels()}, Rules({drop}));
  ASSERT_OK(dropped.status());
  EXPECT_FALSE(dropped->has_value());

  auto url_as_target = RelabelAlertmanagerTarget({"http://am:9093", "http", "", Labels()}, relabel::Relabeler());
  ASSERT_FALSE(url_as_target.ok());
  EXPECT_EQ(url_as_target.status().message(), "\"http://am:9093\" is not a valid hostname");

  relabel::Config ftp;
  ftp.target_label = "__scheme__";
  ftp.replacement = "ftp";
  auto bad_scheme = RelabelAlertmanagerTarget({"am:9093", "http", "", Labels()}, Rules({ftp}));
  ASSERT_FALSE(bad_scheme.ok());
  EXPECT_NE(bad_scheme.status().message().find("scheme \"ftp\""), std::string::npos);
}

}  // namespace
}  // namespace tidemark::alerting
