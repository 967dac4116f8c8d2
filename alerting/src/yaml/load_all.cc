// A guarded YAML::LoadAll: a first pass over the parser's events checks that documents advance.
#include "yaml/load_all.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

#include "tidemark/storage/model/strconv.h"

namespace tidemark::alerting {
namespace {

// Keeps only where the latest document starts; every other event is dropped.
class DocumentStart final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark start;
};

Status YamlError(const std::string& file, int line, const std::string& why) {
  return Status::InvalidArgument(file + ":" + std::to_string(line + 1) + ": yaml: " + why);
}

}  // namespace

Result<std::vector<YAML::Node>> LoadAllYaml(std::string_view text, const std::string& file) {
  const std::string input(text);
  try {
    std::istringstream in(input);
    YAML::Parser parser(in);
    DocumentStart doc;
    int previous = -1;
    while (parser.HandleNextDocument(doc)) {
      if (doc.start.pos <= previous) {
        const auto at = static_cast<size_t>(doc.start.pos);
        return YamlError(file, doc.start.line,
                         at < input.size() ? "unexpected " + Quote(input.substr(at, 1))
                                           : "unexpected end of input");
      }
      previous = doc.start.pos;
    }
    return YAML::LoadAll(input);
  } catch (const YAML::Exception& e) {
    return YamlError(file, e.mark.line, e.msg);
  }
}

}  // namespace tidemark::alerting
