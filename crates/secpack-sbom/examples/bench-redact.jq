# The jq equivalent of examples/bench-rules.toml on the generated benchmark SBOM: drop the
# internal components, drop internal-flagged properties and properties holding absolute paths,
# and remove the dependency edges that would dangle.
([.components[] | select(.group == "com.summit.internal") | ."bom-ref"] | map({(.): true}) | add // {}) as $gone
| .components |= map(
    select($gone[."bom-ref"] | not)
    | if .properties then
        .properties |= map(select(
          ((.name | test("^internal$|^internal:|:internal$|:internal:")) | not)
          and (((.value // "") | startswith("/")) | not)))
      else . end)
| .dependencies |= map(select($gone[.ref] | not) | .dependsOn |= map(select($gone[.] | not)))
| .compositions = [{"aggregate": "incomplete", "assemblies": [.metadata.component."bom-ref"]}]
