// The setup page's files (page/), compiled into the plugin by page/embed_assets.py.
#pragma once

#include <string_view>

namespace orrery::interactive_setup {

extern const std::string_view kIndexHtml;
extern const std::string_view kSetupJs;
extern const std::string_view kSetupCss;

}  // namespace orrery::interactive_setup
