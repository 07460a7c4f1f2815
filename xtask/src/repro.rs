pub fn run(_bless: bool) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
