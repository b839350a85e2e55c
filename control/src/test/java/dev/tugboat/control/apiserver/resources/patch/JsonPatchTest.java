package dev.tugboat.control.apiserver.resources.patch;

import static dev.tugboat.control.apiserver.resources.patch.PatchJson.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JsonPatchTest {

  private static JsonNode apply(String target, String patch) {
    return JsonPatch.apply(j(target), j(patch));
  }

  @Test
  void addSetsAMemberAndInsertsIntoArrays() {
    assertThat(apply("{'a':1}", "[{'op':'add','path':'/b','value':2}]")).isEqualTo(j("{'a':1,'b':2}"));
    assertThat(apply("{'a':[1,3]}", "[{'op':'add','path':'/a/1','value':2}]")).isEqualTo(j("{'a':[1,2,3]}"));
    assertThat(apply("{'a':[1]}", "[{'op':'add','path':'/a/-','value':2}]")).isEqualTo(j("{'a':[1,2]}"));
    assertThat(apply("{'a':[1]}", "[{'op':'add','path':'/a/1','value':2}]")).isEqualTo(j("{'a':[1,2]}"));
    assertThat(apply("{'a':1}", "[{'op':'add','path':'/a','value':5}]")).isEqualTo(j("{'a':5}"));
    assertThat(apply("{'a':1}", "[{'op':'add','path':'','value':[1]}]")).isEqualTo(j("[1]"));
  }

  @Test
  void removeAndReplaceNeedAnExistingTarget() {
    assertThat(apply("{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]")).isEqualTo(j("{'b':2}"));
    assertThat(apply("{'a':[1,2,3]}", "[{'op':'remove','path':'/a/1'}]")).isEqualTo(j("{'a':[1,3]}"));
    assertThat(apply("{'a':[1,2]}", "[{'op':'replace','path':'/a/0','value':9}]")).isEqualTo(j("{'a':[9,2]}"));
    assertThatThrownBy(() -> apply("{'a':1}", "[{'op':'remove','path':'/b'}]"))
        .isInstanceOf(PatchException.class).hasMessageContaining("/b does not exist")
        .matches(e -> !((PatchException) e).invalidInput());
    assertThatThrownBy(() -> apply("{'a':1}", "[{'op':'replace','path':'/b','value':1}]"))
        .isInstanceOf(PatchException.class);
    assertThatThrownBy(() -> apply("{'a':[1]}", "[{'op':'remove','path':'/a/1'}]"))
        .isInstanceOf(PatchException.class).hasMessageContaining("out of bounds");
  }

  @Test
  void moveAndCopy() {
    assertThat(apply("{'a':{'x':1},'b':{}}", "[{'op':'move','from':'/a/x','path':'/b/y'}]"))
        .isEqualTo(j("{'a':{},'b':{'y':1}}"));
    assertThat(apply("{'a':[1,2,3]}", "[{'op':'move','from':'/a/0','path':'/a/2'}]")).isEqualTo(j("{'a':[2,3,1]}"));
    assertThat(apply("{'a':{'x':1}}", "[{'op':'copy','from':'/a','path':'/b'}]"))
        .isEqualTo(j("{'a':{'x':1},'b':{'x':1}}"));
    assertThatThrownBy(() -> apply("{'a':{'b':{}}}", "[{'op':'move','from':'/a','path':'/a/b/c'}]"))
        .isInstanceOf(PatchException.class).hasMessageContaining("into its own child");
  }

  @Test
  void testComparesJsonValues() {
    assertThat(apply("{'a':1}", "[{'op':'test','path':'/a','value':1.0}]")).isEqualTo(j("{'a':1}"));
    assertThat(apply("{'a':{'x':[1,'y'],'z':null}}", "[{'op':'test','path':'/a','value':{'z':null,'x':[1,'y']}}]"))
        .isEqualTo(j("{'a':{'x':[1,'y'],'z':null}}"));
    assertThatThrownBy(() -> apply("{'a':'b'}", "[{'op':'test','path':'/a','value':'c'}]"))
        .isInstanceOf(PatchException.class).hasMessageContaining("test operation failed");
  }

  @Test
  void pointersUnescapeTildeAndSlash() {
    assertThat(apply("{'metadata':{'labels':{'app.kubernetes.io/name':'x','a~b':'y'}}}",
        "[{'op':'replace','path':'/metadata/labels/app.kubernetes.io~1name','value':'z'},"
            + "{'op':'remove','path':'/metadata/labels/a~0b'}]"))
        .isEqualTo(j("{'metadata':{'labels':{'app.kubernetes.io/name':'z'}}}"));
  }

  @Test
  void operationsApplyAllOrNothing() {
    JsonNode target = j("{'a':1}");
    assertThatThrownBy(() -> JsonPatch.apply(target, j("[{'op':'add','path':'/b','value':2},"
        + "{'op':'test','path':'/a','value':2}]"))).isInstanceOf(PatchException.class);
    assertThat(target).isEqualTo(j("{'a':1}"));
  }

  @Test
  void malformedPatchesAreInvalidInput() {
    for (String patch : new String[] {"{'op':'add'}", "[{'path':'/a'}]", "[{'op':'jump','path':'/a'}]",
        "[{'op':'add','path':'/a'}]", "[{'op':'add','path':'a','value':1}]", "[1]"}) {
      assertThatThrownBy(() -> apply("{}", patch)).isInstanceOf(PatchException.class)
          .matches(e -> ((PatchException) e).invalidInput(), "invalid input: " + patch);
    }
  }

  @Test
  void arrayIndicesMustBeCanonical() {
    assertThatThrownBy(() -> apply("{'a':[1,2]}", "[{'op':'replace','path':'/a/01','value':3}]"))
        .isInstanceOf(PatchException.class).hasMessageContaining("not an array index");
  }
}
