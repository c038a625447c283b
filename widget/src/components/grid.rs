//! One fieldset per content type, one real checkbox per channel, each with its label,
//! purpose, legal basis and retention.

use accord_core::config::Lang;
use yew::prelude::*;

use crate::i18n::{Key, channel, legal_basis, t};
use crate::state::{Action, Form};

#[derive(Properties, PartialEq)]
pub struct GridProps {
    pub form: UseReducerHandle<Form>,
    pub lang: Lang,
}

#[function_component]
pub fn Grid(props: &GridProps) -> Html {
    let lang = props.lang;
    let form = &props.form;
    let months = form.config.config.retention.prospect_months;
    form.config
        .config
        .content_types
        .iter()
        .map(|ct| {
            let desc_id = format!("accord-desc-{}", ct.id);
            let boxes = ct.channels.iter().map(|ch| {
                let cell = (ct.id.as_str().to_owned(), *ch);
                let id = format!("accord-{}-{}", ct.id, ch);
                let onchange = {
                    let (form, cell) = (form.dispatcher(), cell.clone());
                    Callback::from(move |_: Event| form.dispatch(Action::Toggle(cell.clone())))
                };
                html! {
                    <label class="accord-check" for={id.clone()}>
                        <input type="checkbox" id={id} data-content-type={ct.id.to_string()} data-channel={ch.as_str()}
                            checked={form.is_ticked(&cell)} onchange={onchange} aria-describedby={desc_id.clone()} />
                        <span>{ channel(lang, *ch) }</span>
                    </label>
                }
            });
            html! {
                <fieldset class="accord-ct" key={ct.id.to_string()}>
                    <legend>{ ct.label.get(lang) }</legend>
                    <p class="accord-desc" id={desc_id.clone()}>
                        { ct.description.get(lang) }
                        <span class="accord-meta">
                            { format!(" {} : {} · {} : {months} {}", t(lang, Key::LegalBasis), legal_basis(lang, ct.legal_basis),
                                t(lang, Key::Retention), t(lang, Key::Months)) }
                        </span>
                    </p>
                    <div class="accord-channels">{ for boxes }</div>
                </fieldset>
            }
        })
        .collect()
}
