package dev.tugboat.control.apiserver.resources.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each check of NameSyntax answers as the regular expression Kubernetes writes for it, on every string tried. */
class NameSyntaxTest {

  private record Rule(String name, Pattern regex, Predicate<String> check) {}

  private static final List<Rule> RULES = List.of(
      new Rule("dns1123Label", Pattern.compile(Names.DNS1123_LABEL_FMT), NameSyntax::isDns1123Label),
      new Rule("dns1123Subdomain", Pattern.compile(Names.DNS1123_SUBDOMAIN_FMT), NameSyntax::isDns1123Subdomain),
      new Rule("dns1035Label", Pattern.compile(Names.DNS1035_LABEL_FMT), NameSyntax::isDns1035Label),
      new Rule("qualifiedName", Pattern.compile(Names.QUALIFIED_NAME_FMT), NameSyntax::isQualifiedNamePart),
      new Rule("labelValue", Pattern.compile(Names.LABEL_VALUE_FMT),
          v -> v.isEmpty() || NameSyntax.isQualifiedNamePart(v)));

  private static void agreeOn(String value) {
    for (Rule rule : RULES) {
      assertThat(rule.check().test(value)).as("%s of \"%s\"", rule.name(), value)
          .isEqualTo(rule.regex().matcher(value).matches());
    }
  }

  @Test
  void everyStringOfUpToFiveCharactersFromEachClassAndItsBorders() {
    char[] alphabet = {'a', 'Z', '0', '-', '.', '_', '/', 'é'};
    List<String> strings = new ArrayList<>(List.of(""));
    int from = 0;
    for (int length = 1; length <= 5; length++) {
      int to = strings.size();
      for (int i = from; i < to; i++) {
        for (char c : alphabet) {
          strings.add(strings.get(i) + c);
        }
      }
      from = to;
    }
    strings.forEach(NameSyntaxTest::agreeOn);
    assertThat(strings).hasSize(1 + 8 + 64 + 512 + 4096 + 32768);
  }

  @Test
  void everyCharacterAloneAndBetweenAlphanumerics() {
    for (char c = 0; c < 0x250; c++) {
      agreeOn(String.valueOf(c));
      agreeOn("a" + c + "b");
      agreeOn("A" + c + "9");
      agreeOn(c + "ab");
      agreeOn("ab" + c);
    }
  }

  @Test
  void randomLongStrings() {
    SplittableRandom random = new SplittableRandom(11);
    String alphabet = "abcxyzABCXYZ0189-._/ @[`{é";
    for (int i = 0; i < 50_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(80);
      // mostly valid characters, so that long valid names and near misses both occur
      for (int j = 0; j < length; j++) {
        s.append(random.nextInt(10) < 8 ? "abz09-.".charAt(random.nextInt(7))
            : alphabet.charAt(random.nextInt(alphabet.length())));
      }
      agreeOn(s.toString());
    }
  }
}
