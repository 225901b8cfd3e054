"""What the cockpit's keys do, one module per concern; `cockpit.app.CockpitApp` composes them."""
