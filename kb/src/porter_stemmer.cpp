// Porter's five-step suffix stripper over a lowercase ASCII word. Written from the 1980 paper's
// rules (with the widely used "bli"->"ble" and "logi"->"log" refinements of step 2).
//
// The word is handled as w[0..k]; `j` marks the end of the stem once a suffix matched. m() counts
// the vowel-consonant sequences of w[0..j], which every rule's condition is phrased in.
#include "porter_stemmer.h"

#include <string_view>

namespace lantern::kb {
namespace {

class Stemmer {
 public:
  explicit Stemmer(std::string& w) : w_(w), k_(static_cast<int>(w.size()) - 1) {}

  void run() {
    if (k_ < 2) return;
    step1ab();
    if (k_ > 0) {
      step1c();
      step2();
      step3();
      step4();
      step5();
    }
    w_.resize(k_ + 1);
  }

 private:
  // True when w[i] is a consonant: not a vowel, and 'y' only when after a vowel or first.
  bool cons(int i) const {
    switch (w_[i]) {
      case 'a': case 'e': case 'i': case 'o': case 'u': return false;
      case 'y': return i == 0 ? true : !cons(i - 1);
      default: return true;
    }
  }
  // Number of VC sequences in w[0..j].
  int m() const {
    int n = 0, i = 0;
    while (true) {
      if (i > j_) return n;
      if (!cons(i)) break;
      ++i;
    }
    ++i;
    while (true) {
      while (true) {
        if (i > j_) return n;
        if (cons(i)) break;
        ++i;
      }
      ++i;
      ++n;
      while (true) {
        if (i > j_) return n;
        if (!cons(i)) break;
        ++i;
      }
      ++i;
    }
  }
  bool vowel_in_stem() const {
    for (int i = 0; i <= j_; ++i) {
      if (!cons(i)) return true;
    }
    return false;
  }
  bool double_cons(int i) const { return i >= 1 && w_[i] == w_[i - 1] && cons(i); }
  // consonant-vowel-consonant ending at i, the last not w, x or y ("hop" but not "snow").
  bool cvc(int i) const {
    if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) return false;
    char c = w_[i];
    return c != 'w' && c != 'x' && c != 'y';
  }
  // Does w[0..k] end with s? Sets j to the end of the remaining stem when it does.
  bool ends(std::string_view s) {
    int len = static_cast<int>(s.size());
    if (len > k_ + 1) return false;
    if (std::string_view(w_).substr(k_ - len + 1, len) != s) return false;
    j_ = k_ - len;
    return true;
  }
  // Replaces w[j+1..k] with s.
  void set_to(std::string_view s) {
    w_.resize(j_ + 1);
    w_.append(s);
    k_ = j_ + static_cast<int>(s.size());
  }
  void replace_if_m(std::string_view s) {
    if (m() > 0) set_to(s);
  }

  void step1ab() {
    if (w_[k_] == 's') {
      if (ends("sses")) k_ -= 2;
      else if (ends("ies")) set_to("i");
      else if (w_[k_ - 1] != 's') --k_;
    }
    w_.resize(k_ + 1);
    if (ends("eed")) {
      if (m() > 0) --k_;
    } else if ((ends("ed") || ends("ing")) && vowel_in_stem()) {
      k_ = j_;
      w_.resize(k_ + 1);
      if (ends("at")) set_to("ate");
      else if (ends("bl")) set_to("ble");
      else if (ends("iz")) set_to("ize");
      else if (double_cons(k_)) {
        char c = w_[k_];
        if (c != 'l' && c != 's' && c != 'z') --k_;
      } else {
        j_ = k_;
        if (m() == 1 && cvc(k_)) {
          w_.resize(k_ + 1);
          w_.push_back('e');
          ++k_;
        }
      }
    }
    w_.resize(k_ + 1);
  }
  void step1c() {
    if (ends("y") && vowel_in_stem()) w_[k_] = 'i';
  }
  void step2() {
    if (k_ < 1) return;
    switch (w_[k_ - 1]) {
      case 'a':
        if (ends("ational")) { replace_if_m("ate"); break; }
        if (ends("tional")) { replace_if_m("tion"); break; }
        break;
      case 'c':
        if (ends("enci")) { replace_if_m("ence"); break; }
        if (ends("anci")) { replace_if_m("ance"); break; }
        break;
      case 'e':
        if (ends("izer")) { replace_if_m("ize"); break; }
        break;
      case 'l':
        if (ends("bli")) { replace_if_m("ble"); break; }
        if (ends("alli")) { replace_if_m("al"); break; }
        if (ends("entli")) { replace_if_m("ent"); break; }
        if (ends("eli")) { replace_if_m("e"); break; }
        if (ends("ousli")) { replace_if_m("ous"); break; }
        break;
      case 'o':
        if (ends("ization")) { replace_if_m("ize"); break; }
        if (ends("ation")) { replace_if_m("ate"); break; }
        if (ends("ator")) { replace_if_m("ate"); break; }
        break;
      case 's':
        if (ends("alism")) { replace_if_m("al"); break; }
        if (ends("iveness")) { replace_if_m("ive"); break; }
        if (ends("fulness")) { replace_if_m("ful"); break; }
        if (ends("ousness")) { replace_if_m("ous"); break; }
        break;
      case 't':
        if (ends("aliti")) { replace_if_m("al"); break; }
        if (ends("iviti")) { replace_if_m("ive"); break; }
        if (ends("biliti")) { replace_if_m("ble"); break; }
        break;
      case 'g':
        if (ends("logi")) { replace_if_m("log"); break; }
        break;
      default: break;
    }
  }
  void step3() {
    switch (w_[k_]) {
      case 'e':
        if (ends("icate")) { replace_if_m("ic"); break; }
        if (ends("ative")) { replace_if_m(""); break; }
        if (ends("alize")) { replace_if_m("al"); break; }
        break;
      case 'i':
        if (ends("iciti")) { replace_if_m("ic"); break; }
        break;
      case 'l':
        if (ends("ical")) { replace_if_m("ic"); break; }
        if (ends("ful")) { replace_if_m(""); break; }
        break;
      case 's':
        if (ends("ness")) { replace_if_m(""); break; }
        break;
      default: break;
    }
  }
  void step4() {
    if (k_ < 1) return;
    switch (w_[k_ - 1]) {
      case 'a': if (ends("al")) break; return;
      case 'c': if (ends("ance") || ends("ence")) break; return;
      case 'e': if (ends("er")) break; return;
      case 'i': if (ends("ic")) break; return;
      case 'l': if (ends("able") || ends("ible")) break; return;
      case 'n': if (ends("ant") || ends("ement") || ends("ment") || ends("ent")) break; return;
      case 'o':
        if (ends("ion") && j_ >= 0 && (w_[j_] == 's' || w_[j_] == 't')) break;
        if (ends("ou")) break;
        return;
      case 's': if (ends("ism")) break; return;
      case 't': if (ends("ate") || ends("iti")) break; return;
      case 'u': if (ends("ous")) break; return;
      case 'v': if (ends("ive")) break; return;
      case 'z': if (ends("ize")) break; return;
      default: return;
    }
    if (m() > 1) k_ = j_;
  }
  void step5() {
    j_ = k_;
    if (w_[k_] == 'e') {
      int a = m();
      if (a > 1 || (a == 1 && !cvc(k_ - 1))) --k_;
    }
    // m() still measures up to the original end here, as in Porter's reference implementation.
    if (w_[k_] == 'l' && double_cons(k_) && m() > 1) --k_;
  }

  std::string& w_;
  int k_;
  int j_ = 0;
};

}  // namespace

void porter_stem(std::string& word) {
  if (word.size() <= 2) return;
  Stemmer(word).run();
}

}  // namespace lantern::kb
