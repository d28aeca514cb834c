#include "experiments/board_carry.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/log.h"
#include "core/read_file.h"
#include "core/text.h"

namespace shiftrec {

const char* const kBoardTitle = "# shiftrec leaderboard\n";

namespace {

namespace fs = std::filesystem;

const std::string kNoRuns = "No complete runs yet.";  // the line of a plan without runs
const std::string kCarriedSection = "Carried over from an earlier board";
const std::string kCarriedRows = "Rows carried over from an earlier board";
const std::string kCarriedMark = " (carried)";
const std::string kProtocol = "Protocol: ";
const std::string kMadeBy = ". Made by shiftrec commit ";
const std::string kWrittenBy = "Written by `shiftrec benchmark`";

using Cells = std::vector<std::string>;

// "| a | b |" -> {"a", "b"}.
Cells table_cells(const std::string& line) {
  if (line.size() < 4 || line.rfind("| ", 0) != 0) return {};
  const size_t end = line.size() >= 2 && line.compare(line.size() - 2, 2, " |") == 0
                         ? line.size() - 2
                         : line.size();
  std::vector<std::string> cells;
  size_t at = 2;
  while (true) {
    const size_t next = line.find(" | ", at);
    if (next == std::string::npos || next >= end) {
      cells.push_back(line.substr(at, end - at));
      return cells;
    }
    cells.push_back(line.substr(at, next - at));
    at = next + 3;
  }
}

std::string table_line(const Cells& cells) { return "| " + join(cells, " | ") + " |"; }

std::string row_name(const std::string& cell) {
  const bool marked =
      cell.size() > kCarriedMark.size() &&
      cell.compare(cell.size() - kCarriedMark.size(), std::string::npos, kCarriedMark) == 0;
  return marked ? cell.substr(0, cell.size() - kCarriedMark.size()) : cell;
}

// A Markdown table as the leaderboard writes it: header, rule, rows.
struct Table {
  Cells header;
  std::vector<Cells> rows;
};

// The first table of `text` (a line starting "| variant | runs |"), empty if none.
Table first_table(const std::string& text) {
  Table table;
  const auto lines = split(text, '\n');
  size_t i = 0;
  while (i < lines.size() && lines[i].rfind("| variant | runs |", 0) != 0) ++i;
  if (i == lines.size()) return table;
  table.header = table_cells(lines[i]);
  for (i += 2; i < lines.size() && lines[i].rfind("| ", 0) == 0; ++i) {
    table.rows.push_back(table_cells(lines[i]));
  }
  return table;
}

std::string table_text(const Table& table) {
  std::string out = table_line(table.header) + "\n|";
  for (size_t c = 0; c < table.header.size(); ++c) out += "---|";
  out += "\n";
  for (const auto& row : table.rows) out += table_line(row) + "\n";
  return out;
}

// A cell's mean ("0.0406 ± 0.0006" -> 0.0406); NaN for one that is not a number.
double cell_mean(const std::string& cell) {
  char* end = nullptr;
  const double value = std::strtod(cell.c_str(), &end);
  return end == cell.c_str() ? std::nan("") : value;
}

// One section of a board being replaced, with what its text says about its rows.
struct EarlierSection {
  std::string name;
  std::string text;  // "\n## NAME\n..." through its last line's newline
  bool has_runs = false;
  std::string protocol;              // "" when the section has no protocol line
  std::vector<std::string> commits;  // of its runs made there
  Table table;
  std::map<std::string, std::string> carried_commits;  // row -> "commit X, Y", rows carried there
};

// The line of `text` that starts with `prefix` (without its newline), "" if none.
std::string line_starting(const std::string& text, const std::string& prefix) {
  size_t at = text.rfind(prefix, 0) == 0 ? 0 : text.find("\n" + prefix);
  if (at == std::string::npos) return "";
  if (text[at] == '\n') ++at;
  return text.substr(at, text.find('\n', at) - at);
}

// "NAME (commit X), OTHER (commits Y, Z)." -> {NAME: "commit X", OTHER: "commits Y, Z"}.
std::map<std::string, std::string> named_commits(const std::string& list) {
  std::map<std::string, std::string> out;
  size_t at = 0;
  while (true) {
    const size_t open = list.find(" (commit", at);
    const size_t close = open == std::string::npos ? open : list.find(')', open);
    if (close == std::string::npos) return out;
    std::string name = list.substr(at, open - at);
    name.erase(0, name.find_first_not_of(", "));
    out[name] = list.substr(open + 2, close - open - 2);
    at = close + 1;
  }
}

EarlierSection earlier_section(const std::string& text) {
  EarlierSection section;
  section.text = text;
  const size_t name_end = text.find('\n', 4);
  section.name = text.substr(4, name_end == std::string::npos ? std::string::npos : name_end - 4);
  section.has_runs = text.find("\n" + kNoRuns + "\n") == std::string::npos;
  const std::string protocol = line_starting(text, kProtocol);
  const size_t made_by = protocol.find(kMadeBy);
  if (made_by != std::string::npos) {
    section.protocol = protocol.substr(kProtocol.size(), made_by - kProtocol.size());
    std::string commits = protocol.substr(made_by + kMadeBy.size());
    if (!commits.empty() && commits.back() == '.') commits.pop_back();
    section.commits = split(commits, ',');
    for (auto& c : section.commits) c.erase(0, c.find_first_not_of(' '));
  }
  section.table = first_table(text);
  const std::string carried = line_starting(text, kCarriedRows);
  const size_t colon = carried.find("): ");
  if (colon != std::string::npos)
    section.carried_commits = named_commits(carried.substr(colon + 3));
  return section;
}

// The sections of a board's text, in its order.
std::vector<EarlierSection> earlier_sections(const std::string& text) {
  std::vector<EarlierSection> sections;
  size_t at = text.find("\n## ");
  while (at != std::string::npos) {
    const size_t next = text.find("\n## ", at + 1);
    sections.push_back(earlier_section(
        text.substr(at, next == std::string::npos ? std::string::npos : next - at)));
    at = next;
  }
  return sections;
}

// The paragraphs of a board's text between its title and its first section, less the one the
// benchmark writes itself; without the blank lines around them.
std::string earlier_note(const std::string& text) {
  const std::string head = text.substr(0, text.find("\n## "));
  std::vector<std::string> kept;
  size_t at = head.find('\n');  // past the title
  while (at != std::string::npos) {
    at = head.find_first_not_of('\n', at);
    if (at == std::string::npos) break;
    const size_t end = head.find("\n\n", at);
    const std::string paragraph = head.substr(at, end == std::string::npos ? end : end - at);
    if (paragraph.rfind(kWrittenBy, 0) != 0) kept.push_back(paragraph);
    at = end;
  }
  std::string note = join(kept, "\n\n");
  while (!note.empty() && note.back() == '\n') note.pop_back();
  return note;
}

std::string commit_text(const std::vector<std::string>& commits) {
  if (commits.empty()) return "commit not recorded";
  return (commits.size() == 1 ? "commit " : "commits ") + join(commits);
}

// `fresh`'s rows without runs here, taken from `earlier` where it can vouch for them: the
// rows go into the table, the notes say which were carried (with their commits) and which
// could not be, and why.
struct RowCarry {
  std::vector<std::string> carried;      // "NAME (commit X)"
  std::vector<std::string> not_carried;  // rows the earlier board had but could not give
  std::string reason;                    // why not
};

RowCarry carry_rows(FreshSection& fresh, const EarlierSection& earlier) {
  RowCarry carry;
  std::map<std::string, const Cells*> earlier_rows;
  for (const auto& row : earlier.table.rows) {
    if (!row.empty()) earlier_rows[row_name(row[0])] = &row;
  }
  std::vector<std::string> available;
  for (const auto& name : fresh.not_run) {
    if (earlier_rows.count(name)) available.push_back(name);
  }
  if (available.empty()) return carry;
  if (earlier.protocol != fresh.protocol) {
    carry.not_carried = available;
    carry.reason = earlier.protocol.empty() ? "the earlier section states no protocol"
                                            : "made under another protocol: " + earlier.protocol;
    return carry;
  }
  Table table = first_table(fresh.table);
  std::vector<size_t> column_of;  // new column -> the earlier table's
  for (const auto& title : table.header) {
    const auto it = std::find(earlier.table.header.begin(), earlier.table.header.end(), title);
    if (it == earlier.table.header.end()) {
      carry.not_carried = available;
      carry.reason = "the earlier table has no column `" + title + "`";
      return carry;
    }
    column_of.push_back(static_cast<size_t>(it - earlier.table.header.begin()));
  }
  std::vector<std::string> still_not_run;
  for (const auto& name : fresh.not_run) {
    const auto found = earlier_rows.find(name);
    if (found == earlier_rows.end() || found->second->size() != earlier.table.header.size()) {
      still_not_run.push_back(name);
      continue;
    }
    Cells row;
    for (size_t c : column_of) row.push_back((*found->second)[c]);
    row[0] = name + kCarriedMark;
    // Best first by the first metric, as the leaderboard sorts: before the first row below it.
    const double value = row.size() > 2 ? cell_mean(row[2]) : std::nan("");
    auto at = std::find_if(table.rows.begin(), table.rows.end(), [&](const Cells& other) {
      return other.size() > 2 && cell_mean(other[2]) < value;
    });
    table.rows.insert(at, row);
    const auto commits = earlier.carried_commits.find(name);
    carry.carried.push_back(name + " (" +
                            (commits != earlier.carried_commits.end()
                                 ? commits->second
                                 : commit_text(earlier.commits)) +
                            ")");
  }
  fresh.not_run = still_not_run;
  fresh.table = table_text(table);
  return carry;
}

std::string section_text(const FreshSection& section, const RowCarry& carry,
                         const std::string& runs_folder) {
  std::string text = section.intro;
  if (section.table.empty()) return text + kNoRuns + "\n";
  text += kProtocol + section.protocol + kMadeBy + join(section.commits) + ".\n\n" + section.table;
  if (!carry.carried.empty()) {
    text += "\n" + kCarriedRows + " (their runs are not under `" + runs_folder +
            "` here, nor on the report page): " + join(carry.carried) + ".\n";
  }
  if (!carry.not_carried.empty()) {
    text += "\nRows of the earlier board not carried over (" + carry.reason +
            "): " + join(carry.not_carried) + ".\n";
  }
  if (!section.caveat.empty()) text += "\n" + section.caveat + "\n";
  if (!section.not_run.empty()) {
    text += "\nRows of the plan without a complete run (not run here): " + join(section.not_run) +
            ".\n";
  }
  if (!section.report_link.empty()) text += "\n" + section.report_link + "\n";
  return text;
}

}  // namespace

Board carry_over(const std::string& board_path, const std::string& runs_folder,
                 std::vector<FreshSection> fresh) {
  std::vector<EarlierSection> earlier;
  Board board;
  if (!board_path.empty() && fs::exists(board_path)) {
    const auto read = read_whole_file(board_path);
    if (!read) throw UserError(board_path + ": the board to replace cannot be read");
    if (read->rfind(kBoardTitle, 0) == 0) {
      earlier = earlier_sections(*read);
      board.note = earlier_note(*read);
    } else {
      log_warn(board_path +
               " is not a board written by `shiftrec benchmark`: nothing carried over, "
               "it is replaced");
    }
  }
  const auto find_earlier = [&](const std::string& name) -> const EarlierSection* {
    for (const auto& section : earlier) {
      if (section.name == name && section.has_runs) return &section;
    }
    return nullptr;
  };
  const auto marked = [&](const EarlierSection& section) {
    std::string text = section.text;
    if (text.find(kCarriedSection) == std::string::npos) {
      text += "\n" + kCarriedSection + ": its runs are not under `" + runs_folder + "` here.\n";
    }
    return text;
  };
  for (auto& section : fresh) {
    const EarlierSection* before = find_earlier(section.name);
    if (section.table.empty() && before != nullptr) {  // the whole section, as it was
      board.sections += marked(*before);
      board.carried = true;
      continue;
    }
    const RowCarry carry = before != nullptr ? carry_rows(section, *before) : RowCarry{};
    board.carried = board.carried || !carry.carried.empty();
    board.sections += section_text(section, carry, runs_folder);
  }
  for (const auto& section : earlier) {
    const bool given = std::any_of(fresh.begin(), fresh.end(),
                                   [&](const auto& s) { return s.name == section.name; });
    if (!given) {
      board.sections += marked(section);
      board.carried = true;
    }
  }
  return board;
}

}  // namespace shiftrec
