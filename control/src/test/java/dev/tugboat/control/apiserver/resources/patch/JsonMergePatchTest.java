package dev.tugboat.control.apiserver.resources.patch;

import static dev.tugboat.control.apiserver.resources.patch.PatchJson.j;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JsonMergePatchTest {

  /** The examples of RFC 7386 appendix A. */
  @ParameterizedTest(name = "{0} + {1} = {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "{'a':'b'}                 | {'a':'c'}               | {'a':'c'}",
      "{'a':'b'}                 | {'b':'c'}               | {'a':'b','b':'c'}",
      "{'a':'b'}                 | {'a':null}              | {}",
      "{'a':'b','b':'c'}         | {'a':null}              | {'b':'c'}",
      "{'a':['b']}               | {'a':'c'}               | {'a':'c'}",
      "{'a':'c'}                 | {'a':['b']}             | {'a':['b']}",
      "{'a':{'b':'c'}}           | {'a':{'b':'d','c':null}} | {'a':{'b':'d'}}",
      "{'a':[{'b':'c'}]}         | {'a':[1]}               | {'a':[1]}",
      "['a','b']                 | ['c','d']               | ['c','d']",
      "{'a':'b'}                 | ['c']                   | ['c']",
      "{'a':'foo'}               | null                    | null",
      "{'a':'foo'}               | 'bar'                   | 'bar'",
      "{'e':null}                | {'a':1}                 | {'e':null,'a':1}",
      "[1,2]                     | {'a':'b','c':null}      | {'a':'b'}",
      "{}                        | {'a':{'bb':{'ccc':null}}} | {'a':{'bb':{}}}"})
  void appliesLikeRfc7386(String target, String patch, String expected) {
    assertThat(JsonMergePatch.apply(j(target), j(patch))).isEqualTo(j(expected));
  }

  @Test
  void leavesTheTargetUnchanged() {
    JsonNode target = j("{'a':{'b':1}}");
    JsonMergePatch.apply(target, j("{'a':{'b':2}}"));
    assertThat(target).isEqualTo(j("{'a':{'b':1}}"));
  }
}
