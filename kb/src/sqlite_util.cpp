// SQLite helper implementations: error formatting, exec, statement stepping, transactions.
#include "sqlite_util.h"

#include <cerrno>
#include <cstring>

namespace lantern::kb {

Status sqlite_error(sqlite3* db, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : "out of memory";
  int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
  msg += " (code " + std::to_string(code) + ")";
  int primary = code & 0xff;
  // An I/O error's cause from the OS ("File too large" under a file size limit, "No space left on
  // device" on a full disk) is what the user can act on; SQLite keeps it apart from its message.
  if (db && (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN)) {
    int sys = sqlite3_system_errno(db);
    if (sys == EFBIG || sys == ENOSPC || sys == EDQUOT) {
      msg += ": disk full (" + std::string(std::strerror(sys)) + ")";
    } else if (primary == SQLITE_FULL || code == SQLITE_IOERR_WRITE) {
      // SQLite reports errno as it is after its cleanup, often no longer the write's.
      msg += ": could not write the database: disk full or file size limit reached";
    } else if (sys != 0) {
      msg += ": " + std::string(std::strerror(sys));
    }
  }
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::corruption(msg);
  if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN ||
      primary == SQLITE_READONLY || primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Status::io_error(msg);
  }
  if (primary == SQLITE_CONSTRAINT) return Status::invalid_argument(msg);
  return Status::internal(msg);
}

Status exec_sql(sqlite3* db, std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    std::string head = s.substr(0, 60);
    for (char& c : head) {
      if (c == '\n') c = ' ';
    }
    return sqlite_error(db, "SQL '" + head + (s.size() > 60 ? "...'" : "'"));
  }
  return ok_status();
}

Result<Stmt> Stmt::prepare(sqlite3* db, std::string_view sql) {
  Stmt s;
  s.db_ = db;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s.stmt_, nullptr);
  if (rc != SQLITE_OK) {
    std::string head(sql.substr(0, 60));
    return sqlite_error(db, "preparing '" + head + "'");
  }
  return s;
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(stmt_) ? std::string(sqlite3_sql(stmt_)).substr(0, 60) : "";
  Status s = sqlite_error(db_, "running '" + sql + "'");
  sqlite3_reset(stmt_);
  return s;
}

Status Stmt::run() {
  while (true) {
    LT_ASSIGN_OR_RETURN(bool row, step());
    if (!row) break;
  }
  sqlite3_reset(stmt_);
  return ok_status();
}

Status Transaction::begin() {
  LT_RETURN_IF_ERROR(exec_sql(db_, "BEGIN IMMEDIATE"));
  open_ = true;
  return ok_status();
}

Status Transaction::commit() {
  LT_RETURN_IF_ERROR(exec_sql(db_, "COMMIT"));
  open_ = false;
  return ok_status();
}

}  // namespace lantern::kb
