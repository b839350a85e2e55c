package dev.tugboat.control.apiserver.auth;

import dev.tugboat.control.apiserver.UserInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * kube-apiserver's {@code --token-auth-file}: a CSV file with lines {@code token,user,uid,"group1,group2"} (groups
 * optional). Blank lines and lines starting with {@code #} are skipped.
 */
public final class TokenAuthFile {

  private TokenAuthFile() {}

  public static Map<String, UserInfo> read(Path file) throws IOException {
    return parse(Files.readString(file), file.toString());
  }

  /** Parses the file's content; errors name {@code source} and the line. */
  public static Map<String, UserInfo> parse(String content, String source) {
    Map<String, UserInfo> users = new HashMap<>();
    String[] lines = content.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      List<String> fields = csvFields(line, where);
      if (fields.size() < 3) {
        throw new IllegalArgumentException(where + ": want token,user,uid[,groups], got " + fields.size() + " fields");
      }
      String token = fields.get(0).strip();
      String user = fields.get(1).strip();
      if (token.isEmpty() || user.isEmpty()) {
        throw new IllegalArgumentException(where + ": token and user must not be empty");
      }
      List<String> groups = new ArrayList<>();
      if (fields.size() > 3) {
        for (String group : fields.get(3).split(",")) {
          if (!group.isBlank()) {
            groups.add(group.strip());
          }
        }
      }
      groups.add(RequestAuthenticator.AUTHENTICATED_GROUP);
      if (users.put(token, new UserInfo(user, List.copyOf(groups))) != null) {
        throw new IllegalArgumentException(where + ": token of user " + user + " appears twice");
      }
    }
    return Map.copyOf(users);
  }

  /** RFC 4180 fields: commas separate, double quotes enclose a field that holds commas, "" is one quote. */
  static List<String> csvFields(String line, String where) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException(where + ": unterminated quote");
    }
    fields.add(field.toString());
    return fields;
  }
}
