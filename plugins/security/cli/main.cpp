// orrery-users: manages the security plugin's users file. The host runs it for
// `orrery users ...`; it can also be run directly.
//
//   orrery-users add NAME [--role ROLE]... [--full-name TEXT] [--file PATH]
//   orrery-users passwd NAME [--file PATH]
//   orrery-users remove NAME [--file PATH]
//   orrery-users list [--file PATH]
//
// Passwords come from standard input (prompted twice without echo at a terminal), never
// from the command line. Exit codes: 0 done, 1 refused (the message says why), CLI11's
// own codes for malformed arguments.
#include <CLI/CLI.hpp>
#include <iostream>
#include <stdexcept>

#include "password_input.hpp"
#include "user_commands.hpp"

namespace cli = orrery::security::cli;

int main(int argc, char** argv) {
  CLI::App app{"Manage the users who may log in to Orrery (the security plugin's users file).", "orrery users"};
  app.require_subcommand(1);
  // Matches the default path.data ("data") and security.usersFile, relative to where the
  // host runs; pass --file for any other layout.
  std::string file = "data/security/users.yml";
  app.add_option("--file", file, "The users file")->capture_default_str();

  std::string username;
  cli::NewUser newUser;
  auto* add = app.add_subcommand("add", "Add a user; the password is read from standard input");
  add->add_option("NAME", newUser.username, "Username: 1 to 64 of A-Z a-z 0-9 . _ @ -")->required();
  add->add_option("--role", newUser.roles, "A role to grant (repeatable), e.g. superuser");
  add->add_option("--full-name", newUser.fullName, "The user's full name");
  auto* passwd = app.add_subcommand("passwd", "Change a user's password (read from standard input)");
  passwd->add_option("NAME", username, "Username")->required();
  auto* remove = app.add_subcommand("remove", "Remove a user");
  remove->add_option("NAME", username, "Username")->required();
  auto* list = app.add_subcommand("list", "List the users");
  for (auto* command : {add, passwd, remove, list}) command->fallthrough();  // --file after the command

  CLI11_PARSE(app, argc, argv);

  try {
    if (add->parsed()) {
      cli::addUser(file, newUser, [&] { return cli::readNewPassword(newUser.username); });
      std::cout << "added user '" << newUser.username << "' to " << file << '\n';
    } else if (passwd->parsed()) {
      cli::changePassword(file, username, [&] { return cli::readNewPassword(username); });
      std::cout << "changed the password of '" << username << "' in " << file << '\n';
    } else if (remove->parsed()) {
      cli::removeUser(file, username);
      std::cout << "removed user '" << username << "' from " << file << '\n';
    } else if (list->parsed()) {
      std::cout << cli::listUsers(file);
    }
  } catch (const std::exception& e) {
    std::cerr << "orrery users: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
