package dev.tugboat.control.apiserver.resources.patch;

import java.util.ArrayList;
import java.util.List;

/** An RFC 6901 JSON pointer, parsed into its reference tokens ({@code ~1} is '/', {@code ~0} is '~'). */
record JsonPointer(String text, List<String> tokens) {

  static JsonPointer parse(String text) {
    if (text.isEmpty()) {
      return new JsonPointer(text, List.of());
    }
    if (text.charAt(0) != '/') {
      throw PatchException.malformed("json patch: path \"" + text + "\" is not a JSON pointer: it must start with '/'");
    }
    List<String> tokens = new ArrayList<>();
    for (String raw : text.substring(1).split("/", -1)) {
      StringBuilder token = new StringBuilder();
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == '~') {
          char next = i + 1 < raw.length() ? raw.charAt(i + 1) : ' ';
          if (next == '0') {
            token.append('~');
          } else if (next == '1') {
            token.append('/');
          } else {
            throw PatchException.malformed("json patch: path \"" + text + "\": '~' must be followed by 0 or 1");
          }
          i++;
        } else {
          token.append(c);
        }
      }
      tokens.add(token.toString());
    }
    return new JsonPointer(text, List.copyOf(tokens));
  }

  boolean isRoot() {
    return tokens.isEmpty();
  }

  JsonPointer parent() {
    return new JsonPointer(text.substring(0, text.lastIndexOf('/')), tokens.subList(0, tokens.size() - 1));
  }

  String last() {
    return tokens.get(tokens.size() - 1);
  }

  boolean isPrefixOf(JsonPointer other) {
    return other.tokens.size() > tokens.size() && other.tokens.subList(0, tokens.size()).equals(tokens);
  }

  @Override
  public String toString() {
    return text;
  }
}
