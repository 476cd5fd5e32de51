// The engine and kb services of the chat backend (ChatServices), built for a command context.
//
// The one thing to know: this is the one place that decides which engine/kb features the chat
// has; a service that is not built yet is left empty and the backend says so when it is used.
#pragma once

#include "chat_backend.h"
#include "command.h"

namespace lantern::app {

ChatServices make_chat_services(const Context& ctx);

}  // namespace lantern::app
