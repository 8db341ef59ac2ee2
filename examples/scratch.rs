use raftbeat::protocol::nacos;
use raftbeat::sim::{Simulation, SimConfig, network::NetworkConfig, trace::{WriterSink, Format}};
fn main() {
    let mut s: Simulation<nacos::Node> = Simulation::new(nacos::Config::default(), SimConfig { nodes: 5, seed: 7, network: NetworkConfig::default() }).unwrap();
    s.add_sink(Box::new(WriterSink::new(std::io::stdout(), Format::Text)));
    s.advance(30_000_000);
    println!("leader {:?} stats {:?}", s.leader(), s.stats());
}
