// What a board written by `shiftrec benchmark` keeps of the board file it replaces.
//
// Plans run over several sessions and machines whose runs folders are not kept, so a new
// board keeps what the old one knew:
//  - whole sections: a plan with no complete run here, and a plan not given, keep their
//    earlier section, marked "Carried over from an earlier board";
//  - rows: a row of a plan that has runs here but none of its own keeps its earlier row,
//    named "NAME (carried)" and listed under the table with the commits that made it — only
//    when the earlier section was made under the same protocol and has every column of the
//    new table; otherwise the rows left behind are named with the reason. Carried rows stay
//    where their first metric puts them (the table is sorted best first by it).
//  - the note under the title (the machine, the conditions), for a board written without one.
// A board's sections start with "\n## NAME\n"; a plan's section written here has the lines
// "Protocol: P. Made by shiftrec commit C, D." and one Markdown table "| variant | runs |...".
#pragma once

#include <string>
#include <vector>

namespace shiftrec {

// One plan's part of a board made from the runs here.
struct FreshSection {
  std::string name;
  std::string intro;                 // "\n## NAME\n\n`plan` (config `...`), seeds 1, 2, 3.\n\n"
  std::string protocol;              // "split `loo`; ..."; empty when the plan has no runs here
  std::vector<std::string> commits;  // of the binaries that made its runs here
  std::string table;                 // Markdown (format_leaderboard); empty without runs
  std::vector<std::string> not_run;  // plan rows without a complete run here, in plan order
  std::string caveat;                // a paragraph after the table ("" for none)
  std::string report_link;           // the line naming the plan's report page ("" for none)
};

struct Board {
  std::string sections;  // every section's text, in order
  bool carried = false;  // a section or a row was kept from the board replaced
  // The replaced board's note: its paragraphs between the title and the first section, less
  // the one `shiftrec benchmark` writes ("Written by ..."); "" when it had none.
  std::string note;
};

// `fresh`'s sections with what the board at `board_path` (when it exists and is a board) had
// that is not here; `runs_folder` is named in the notes ("its runs are not under ...").
// Throws UserError when the file exists but cannot be read.
Board carry_over(const std::string& board_path, const std::string& runs_folder,
                 std::vector<FreshSection> fresh);

// The first line of every board (what tells a board from another Markdown file).
extern const char* const kBoardTitle;

}  // namespace shiftrec
