"""Korean particles (josa) chosen from the word before them, as a Korean reader says it.

A particle pair has one form after a final consonant (batchim) and one after a vowel:
은/는, 이/가, 을/를, 과/와, 으로/로 (으로 after a batchim except ㄹ: 'ReLU로', '층으로',
'레이블로'). The last sound decides:

- a Hangul syllable: its final consonant, (code - 0xAC00) % 28 (0: none, 8: ㄹ);
- a number: read in Korean, digit by digit after a decimal point ('0.131' ends 일: ㄹ),
  and 십 / 백 / 천 / 만 when it ends in zeros ('20' 이십: ㅂ);
- Latin letters: an acronym in capitals by the letters' names (SGD 에스지디, URL 유알엘: ㄹ);
  a word as it is pronounced: -m, -n, -ng batchim ('adam' 아담, 'glorot_uniform' 유니폼),
  -l is ㄹ ('he_normal' 노멀), any other ending a vowel ('relu' 렐루, 'tanh', 'sgd');
- closing brackets, quotes, '%' and the like are skipped or read ('%' 퍼센트: a vowel),
  so '(3/3)' ends in 삼 and takes 을.

``attach("relu", "은")`` gives 'relu는'; ``particle(word, pair)`` just the particle.
"""

PAIRS = {}                          # any written form -> (after a batchim, after a vowel)
for _consonant, _vowel in (("은", "는"), ("이", "가"), ("을", "를"), ("과", "와"),
                           ("으로", "로"), ("이다", "다"), ("이며", "며"), ("이고", "고")):
    PAIRS[_consonant] = PAIRS[_vowel] = (_consonant, _vowel)

NONE, RIEUL, OTHER = "none", "rieul", "other"      # no final consonant, ㄹ, any other

_DIGIT = {"0": OTHER, "1": RIEUL, "2": NONE, "3": OTHER, "4": NONE, "5": NONE, "6": OTHER,
          "7": RIEUL, "8": RIEUL, "9": NONE}        # 영 일 이 삼 사 오 육 칠 팔 구
_LETTER = {**{c: NONE for c in "abcdefghijkopqstuvwxyz"}, "l": RIEUL, "r": RIEUL,
           "m": OTHER, "n": OTHER}                  # 엘, 알; 엠, 엔; the rest end in a vowel
_SKIPPED = set(")]}>\"'’”`.,;:!?*/ ")
_READ = {"%": NONE, "+": NONE, "−": NONE, "-": NONE, "=": NONE}   # 퍼센트, 플러스, 마이너스 ...


def final_sound(word):
    """NONE, RIEUL or OTHER: the final consonant of ``word`` as it is read in Korean."""
    text = str(word).rstrip()
    while text and text[-1] in _SKIPPED:
        text = text[:-1]
    if not text:
        return NONE
    last = text[-1]
    if "가" <= last <= "힣":
        final = (ord(last) - 0xAC00) % 28
        return NONE if final == 0 else RIEUL if final == 8 else OTHER
    if last.isdigit():
        return _number_sound(text)
    if last in _READ:
        return _READ[last]
    if last.isascii() and last.isalpha():
        return _latin_sound(text)
    return NONE


def _number_sound(text):
    digits = ""
    for char in reversed(text):
        if not (char.isdigit() or char in ".,"):
            break
        digits = char + digits
    digits = digits.replace(",", "")
    if "." in digits or digits.rstrip("0") == "":   # '0.10': digit by digit; '0' 영
        return _DIGIT[digits[-1]]
    zeros = len(digits) - len(digits.rstrip("0"))
    return _DIGIT[digits[-1]] if zeros == 0 else OTHER  # 십 백 천 만 all end in a consonant


def _latin_sound(text):
    word = ""
    for char in reversed(text):
        if not (char.isascii() and char.isalpha()):
            break
        word = char + word
    if len(word) > 1 and word.isupper():            # an acronym: the last letter's name
        return _LETTER[word[-1].lower()]
    word = word.lower()
    if word.endswith("ng") or word[-1] in "mn":
        return OTHER
    if word[-1] == "l" and not word.endswith("le"):
        return RIEUL
    return NONE


def particle(word, pair):
    """The form of ``pair`` (either form, e.g. '은' or '는') that follows ``word``."""
    if pair not in PAIRS:
        raise ValueError(f"Unknown particle {pair!r}; known: {', '.join(sorted(PAIRS))}.")
    after_consonant, after_vowel = PAIRS[pair]
    sound = final_sound(word)
    if after_consonant == "으로":
        return "로" if sound in (NONE, RIEUL) else "으로"
    return after_vowel if sound == NONE else after_consonant


def attach(word, pair):
    """``word`` followed by the right form of ``pair``: attach('relu', '은') == 'relu는'."""
    return f"{word}{particle(word, pair)}"
