// Entry points of the binary's subcommands; argv[0] is the subcommand name. Return exit codes.
#pragma once

namespace tidemark::app {

int ServeMain(int argc, char** argv);       // serve_cmd.cc
int PromqlTestMain(int argc, char** argv);  // promql_test_cmd.cc
int CheckMain(int argc, char** argv);       // check_cmd.cc ("check rules|config FILE...")
int CheckWebConfigMain(int argc, char** argv);  // check_web_config_cmd.cc ("check web-config FILE...")
int TestRulesMain(int argc, char** argv);   // test_cmd.cc ("test rules FILE...")
int SloMain(int argc, char** argv);         // slo_cmd.cc ("slo generate FILE...")
int NotifyMain(int argc, char** argv);
int StorageMain(int argc, char** argv);     // storage_cmd.cc ("storage verify|repair --data-dir DIR")      // notify_cmd.cc ("notify test --config F --receiver R")

}  // namespace tidemark::app
