package main

import (
	"reflect"
	"time"

	"github.com/IBM/sarama"
)

// config is what every client of the driver starts from: the library's defaults (its
// default protocol version, as most applications keep it), the security settings of
// the environment, and no reliance on the broker creating topics.
func config() (*sarama.Config, error) {
	c := sarama.NewConfig()
	c.ClientID = "saramadriver"
	c.Producer.Return.Successes = true // a SyncProducer needs it
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Consumer.Return.Errors = true
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.MaxWaitTime = 250 * time.Millisecond
	c.Metadata.AllowAutoTopicCreation = false
	if err := applySecurity(c); err != nil {
		return nil, err
	}
	return c, nil
}

// configFields lists every option of sarama.Config by its path ("Consumer.Group.
// Session.Timeout"): the probe showing that sarama has no option for a feature.
func configFields() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			path := prefix + f.Name
			out = append(out, path)
			if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == "" {
				walk(f.Type, path+".") // an anonymous struct: a group of options
			}
		}
	}
	walk(reflect.TypeFor[sarama.Config](), "")
	return out
}
